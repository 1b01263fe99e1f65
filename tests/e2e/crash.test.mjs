// The server dies (SIGKILL) while a phone is syncing, then comes back:
// nothing is lost, nothing is duplicated.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNTS, PLACES, addContribution, apiClient, cleanup, counts, launchBrowser, login, newPhone, startServer, waitFor, waitForFirstSync, waitForOfflineReady } from './support/harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(() => cleanup(server, browser));

test('server killed during a sync and restarted: nothing lost, nothing duplicated', async () => {
  const { context, page } = await newPhone(browser, server, PLACES.villeurbanne);
  await login(page, ACCOUNTS.volunteer2);
  await waitForOfflineReady(page);
  await waitForFirstSync(page);
  const base = await counts(page);
  await context.setOffline(true);
  const texts = Array.from({ length: 5 }, (_, i) => `Contribution ${i + 1} avant la panne du serveur`);
  for (const text of texts) await addContribution(page, { kind: 'Attente', text });
  assert.deepEqual(await counts(page), { ...base, pending: base.pending + 5 });

  // Kill the server as soon as the phone's first sync request leaves.
  let killed = null;
  page.on('request', (req) => {
    if (!killed && req.method() === 'POST' && req.url().endsWith('/api/v1/sync')) killed = server.kill('SIGKILL');
  });
  await context.setOffline(false);
  await waitFor('the kill', () => killed !== null, { timeout: 30_000 });
  await killed;
  await waitFor('a sync error on the phone', async () => ['error', 'offline'].includes(await page.locator('#sync-status').getAttribute('data-phase')), { timeout: 30_000 });
  const during = await counts(page);
  assert.equal(during.pending + during.received, base.pending + base.received + 5);

  await page.reload(); // the app itself survives too
  await page.getByRole('link', { name: 'Nouvelle contribution' }).waitFor();

  await server.start(); // same data directory, same port (same origin for the phone)
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await waitFor('all received after the restart', async () => (await counts(page)).received === base.received + 5, { timeout: 60_000 });
  assert.deepEqual(await counts(page), { ...base, pending: 0, received: base.received + base.pending + 5 });

  const api = await apiClient(server, ACCOUNTS.volunteer2);
  const mine = (await api.contributions('author=me')).filter((c) => texts.includes(c.text));
  assert.equal(mine.length, 5, 'each contribution exactly once on the server');
  assert.deepEqual(mine.map((c) => c.text).sort(), [...texts].sort());
  assert.equal(new Set(mine.map((c) => c.id)).size, 5);

  // A further sync changes nothing.
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await waitFor('idle', async () => (await page.locator('#sync-status').getAttribute('data-phase')) === 'idle');
  assert.equal((await api.contributions('author=me')).filter((c) => texts.includes(c.text)).length, 5);
  await context.close();
});
