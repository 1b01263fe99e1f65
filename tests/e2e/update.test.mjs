// An app update never loses local data: a phone whose IndexedDB was written by
// the first release (schema version 1) opens the current app, which migrates
// it; the contribution recorded with the old version is still there and syncs.
import * as Automerge from '@automerge/automerge';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ACCOUNTS, PLACES, apiClient, cleanup, gotoTab, launchBrowser, login, newPhone, startServer, waitFor } from './support/harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(() => cleanup(server, browser));

function v1Contribution(id, author, text) {
  const imm = (s) => new Automerge.ImmutableString(s);
  return Automerge.change(Automerge.init(), (d) => {
    d.id = imm(id);
    d.type = imm('contribution');
    d.schema = 1;
    d.campaign = imm('aller-vers-2026');
    d.created_at = imm(new Date().toISOString());
    d.author = imm(author);
    d.kind = imm('proposal');
    d.themes = [imm('culture')];
    d.text = text;
    d.location = { source: imm('gps'), captured_at: imm(new Date().toISOString()) };
    d.location.lat = new Automerge.Float64(PLACES.villeurbanne.latitude);
    d.location.lon = new Automerge.Float64(PLACES.villeurbanne.longitude);
    d.location.accuracy_m = new Automerge.Float64(10);
    d.consent = { contact: false };
  });
}

test('a version 1 database is migrated by the current app, and its contribution syncs', async () => {
  const api = await apiClient(server, ACCOUNTS.volunteer);
  const id = randomUUID();
  const text = 'Saisie avec la première version de l’application';
  const bytes = Buffer.from(Automerge.save(v1Contribution(id, api.user.id, text))).toString('base64');

  const { context, page } = await newPhone(browser, server, PLACES.villeurbanne);
  // A blank page of the app's origin, to write the old database before the app runs.
  await page.route('**/__seed', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>seed</title>' }));
  await page.goto('/__seed');
  await page.evaluate(
    ({ id, bytes }) =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('porte-voix', 1);
        req.onupgradeneeded = () => {
          req.result.createObjectStore('docs', { keyPath: 'id' });
          req.result.createObjectStore('meta');
        };
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction(['docs', 'meta'], 'readwrite');
          const raw = Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0));
          tx.objectStore('docs').put({ id, type: 'contribution', bytes: raw, serverHeads: [] });
          tx.objectStore('meta').put('0', 'sync.cursor');
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
        req.onerror = () => reject(req.error);
      }),
    { id, bytes },
  );
  await page.unroute('**/__seed');

  await login(page, ACCOUNTS.volunteer);
  assert.equal(await page.evaluate(() => window.porteVoix.store.db.version), 2);
  await gotoTab(page, 'Mes contributions');
  await page.getByText(text).waitFor();
  await waitFor('the old contribution reaches the server', async () => {
    const mine = await api.contributions('author=me');
    return mine.some((c) => c.id === id && c.text === text && c.geo?.commune === PLACES.villeurbanne.commune);
  });
  await waitFor('« reçue » on the phone', async () => (await page.locator(`li[data-id="${id}"] [data-state]`).getAttribute('data-state')) === 'received');
  await context.close();
});
