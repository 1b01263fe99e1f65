// The volunteer's day: log in, lose the network, record and fix contributions,
// reload with no network, get it back, and see the officer's processing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ACCOUNTS,
  PLACES,
  addContribution,
  apiClient,
  axe,
  cleanup,
  counts,
  gotoTab,
  launchBrowser,
  login,
  newPhone,
  phoneStore,
  screenshot,
  startServer,
  waitFor,
  waitForFirstSync,
  waitForOfflineReady,
} from './support/harness.mjs';
import { recordFigure } from './support/figures.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(() => cleanup(server, browser));

const TEXTS = [
  'Les poubelles débordent le week-end rue Francis-de-Pressensé',
  'Il faudrait un passage piéton devant l’école Jules-Ferry',
  'Proposition : un jardin partagé dans la cour de la résidence',
];

test('offline field day: record, edit, reload offline, sync, geotag, officer status', async (t) => {
  const { context, page } = await newPhone(browser, server, PLACES.villeurbanne);
  let base = { pending: 0, received: 0, refused: 0 };
  const plus = (pending, received) => ({ pending: base.pending + pending, received: base.received + received, refused: base.refused });

  await t.test('log in once, online', async () => {
    await page.goto('/');
    await page.getByLabel('Adresse e-mail').waitFor();
    await screenshot(page, '01-login');
    assert.deepEqual(await axe(page, 'login'), []);
    await login(page, ACCOUNTS.volunteer);
    await waitForOfflineReady(page);
    // The first sync brings the demo outing shared with the team (and any demo contributions).
    await waitForFirstSync(page);
    await waitFor('the demo outing', async () => !(await page.getByText('Aucune tournée').isVisible()));
    base = await counts(page);
    await screenshot(page, '02-home');
    assert.deepEqual(await axe(page, 'home'), []);
    // Installable: Chromium finds nothing missing in the manifest, icons and service worker.
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    // (a Playwright context is an incognito profile, which Chromium never installs from: ignore that one)
    assert.deepEqual(installabilityErrors.filter((e) => e.errorId !== 'in-incognito'), []);
    const manifest = await (await fetch(server.url + '/manifest.webmanifest')).json();
    assert.equal(manifest.lang, 'fr');
    assert.deepEqual(manifest.icons.map((i) => i.sizes).slice(0, 2), ['192x192', '512x512']);
  });

  await t.test('offline: three contributions and one edit, all kept on the phone', async () => {
    await context.setOffline(true);
    await waitFor('offline badge', async () => (await page.locator('#net-badge').textContent()).includes('Hors ligne'));
    await addContribution(page, { kind: 'Préoccupation', themes: ['Propreté'], text: TEXTS[0] });
    await context.setGeolocation(PLACES.lyon3);
    await page.getByRole('link', { name: 'Nouvelle contribution' }).click();
    await page.getByLabel('Contribution', { exact: true }).waitFor();
    await waitFor('GPS in Lyon 3e', async () => (await page.locator('#loc-commune').textContent()).includes('Lyon 3e'));
    await screenshot(page, '03-form');
    assert.deepEqual(await axe(page, 'form'), []);
    // A tap on the commune map gives the commune under the finger.
    await page.getByRole('button', { name: 'Choisir sur la carte' }).click();
    const map = page.locator('svg.commune-map');
    await map.waitFor();
    const vil = map.locator('path[data-code="69266"]');
    await vil.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const box = await vil.boundingBox();
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    const under = await page.evaluate(([px, py]) => {
      const el = document.elementFromPoint(px, py);
      return el?.closest('path')?.querySelector('title')?.textContent ?? null;
    }, [x, y]);
    await page.mouse.click(x, y);
    assert.ok(under, 'a commune under the tap');
    await waitFor('the tapped commune', async () => (await page.locator('#loc-status').textContent()) === 'Point choisi sur la carte');
    assert.ok((await page.locator('#loc-commune').textContent()).startsWith(under), `${under} shown`);
    await screenshot(page, '03b-form-map');
    await page.getByRole('button', { name: 'Annuler' }).click();
    await addContribution(page, { kind: 'Attente', themes: ['Voirie et mobilités', 'Éducation'], text: TEXTS[1] });
    await context.setGeolocation(PLACES.bron);
    await addContribution(page, { kind: 'Proposition', themes: ['Logement'], text: TEXTS[2], contact: { name: 'Mme Exemple', phone: '06 00 00 00 00' } });
    assert.equal((await phoneStore(page)).contacts.length, 1);
    assert.deepEqual(await counts(page), plus(3, 0));

    await gotoTab(page, 'Mes contributions');
    const first = page.locator('li.contribution', { hasText: TEXTS[0] });
    await first.getByRole('link', { name: 'Modifier' }).click();
    const field = page.getByLabel('Contribution', { exact: true });
    await field.waitFor();
    assert.equal(await field.inputValue(), TEXTS[0]);
    await field.fill(TEXTS[0] + ' — et les encombrants aussi');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('heading', { name: 'Mes contributions' }).waitFor();
    await page.getByText('et les encombrants aussi').waitFor();
    assert.equal(await page.locator('[data-state="pending"]').count(), base.pending + 3);
    await screenshot(page, '04-mine-offline');
    assert.deepEqual(await axe(page, 'mine'), []);
  });

  await t.test('reload while offline: the app opens from the service worker and everything is there', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Mes contributions' }).waitFor();
    for (const text of TEXTS.slice(1)) await page.getByText(text).waitFor();
    await page.getByText('et les encombrants aussi').waitFor();
    await gotoTab(page, 'Accueil');
    assert.deepEqual(await counts(page), plus(3, 0));
  });

  await t.test('a reload in the middle of typing keeps the words (draft); « Annuler » drops them', async () => {
    await page.getByRole('link', { name: 'Nouvelle contribution' }).click();
    const field = page.getByLabel('Contribution', { exact: true });
    await field.fill('Brouillon en cours de saisie');
    await page.reload();
    await field.waitFor();
    assert.equal(await field.inputValue(), 'Brouillon en cours de saisie');
    await page.getByRole('button', { name: 'Annuler' }).click();
    await page.getByRole('link', { name: 'Nouvelle contribution' }).click();
    assert.equal(await page.getByLabel('Contribution', { exact: true }).inputValue(), '');
    await gotoTab(page, 'Accueil');
    assert.deepEqual(await counts(page), plus(3, 0));
  });

  let mine;
  await t.test('back online: everything reaches the server, geotagged to the right commune', async () => {
    await context.setOffline(false);
    await waitFor('all received', async () => (await counts(page)).received === base.received + 3, { timeout: 60_000 });
    assert.deepEqual(await counts(page), plus(0, 3));
    const volunteer = await apiClient(server, ACCOUNTS.volunteer);
    mine = (await volunteer.contributions('author=me')).filter((c) => TEXTS.some((t) => c.text.startsWith(t)));
    const byText = (s) => mine.filter((c) => c.text.startsWith(s));
    assert.equal(mine.length, 3, JSON.stringify(mine));
    const [a, b, c] = TEXTS.map((s) => byText(s));
    assert.equal(a.length, 1);
    assert.equal(a[0].text, TEXTS[0] + ' — et les encombrants aussi');
    assert.equal(a[0].geo.commune, PLACES.villeurbanne.commune);
    assert.equal(b[0].geo.commune, PLACES.lyon3.commune);
    assert.equal(b[0].geo.arrondissement, PLACES.lyon3.arrondissement);
    assert.equal(c[0].geo.commune, PLACES.bron.commune);
    assert.equal(a[0].kind, 'concern');
    assert.deepEqual(b[0].themes.sort(), ['education', 'mobility']);
    assert.equal(c[0].consent.contact, true);
    // The contact details went with the sync and are gone from the phone.
    await waitFor('contact details deleted from the phone', async () => (await phoneStore(page)).contacts.length === 0);
    await screenshot(page, '05-home-synced');
  });

  await t.test("an officer's status change shows on the phone after a sync", async () => {
    const officer = await apiClient(server, ACCOUNTS.officer);
    const target = mine.find((c) => c.text.startsWith(TEXTS[1]));
    await officer.put(`/api/v1/contributions/${target.id}/review`, { status: 'qualified', themes: ['mobility'], tags: [], notes: 'vu' });
    await page.getByRole('button', { name: 'Synchroniser' }).click();
    await gotoTab(page, 'Mes contributions');
    await waitFor('review status on the phone', async () => (await page.locator('li.contribution', { hasText: TEXTS[1] }).textContent()).includes('qualifiée'), {
      timeout: 30_000,
    });
    await screenshot(page, '06-mine-reviewed');
    // The volunteer edits after the officer: both survive on the server.
    await page.locator('li.contribution', { hasText: TEXTS[1] }).getByRole('link', { name: 'Modifier' }).click();
    const field = page.getByLabel('Contribution', { exact: true });
    await field.fill(TEXTS[1] + ' (précisé)');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('heading', { name: 'Mes contributions' }).waitFor();
    await waitFor('edit received', async () => (await page.locator('li.contribution', { hasText: TEXTS[1] }).locator('[data-state]').getAttribute('data-state')) === 'received', {
      timeout: 30_000,
    });
    const back = await officer.get(`/api/v1/contributions/${target.id}`);
    assert.equal(back.text, TEXTS[1] + ' (précisé)');
    assert.equal(back.review.status, 'qualified');
  });

  await t.test('réglages: storage state, export, accessible', async () => {
    await gotoTab(page, 'Réglages');
    await page.getByRole('heading', { name: 'Réglages et sauvegarde' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporter une sauvegarde' }).click()]);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const backup = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(backup.format, 'porte-voix-backup');
    assert.ok(backup.documents.length >= 4);
    await screenshot(page, '07-settings');
    assert.deepEqual(await axe(page, 'settings'), []);

    // Restore it on another phone, twice: everything there, nothing duplicated.
    const other = await newPhone(browser, server, PLACES.villeurbanne);
    await login(other.page, ACCOUNTS.volunteer);
    await waitForFirstSync(other.page);
    await gotoTab(other.page, 'Réglages');
    for (let i = 0; i < 2; i++) {
      await other.page.getByLabel('Importer une sauvegarde').setInputFiles(path);
      await waitFor('import done', async () => (await other.page.locator('#settings-status').textContent()).includes('Sauvegarde importée'));
    }
    const ids = (await phoneStore(other.page)).records.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const d of backup.documents) assert.ok(ids.includes(d.id), `document ${d.id} restored`);
    await gotoTab(other.page, 'Mes contributions');
    await other.page.getByText('et les encombrants aussi').waitFor();
    await other.context.close();
  });

  await t.test('logging out with unsent data warns first', async () => {
    await context.setOffline(true);
    await gotoTab(page, 'Accueil');
    await addContribution(page, { kind: 'Attente', text: 'Encore une, pas envoyée' });
    await gotoTab(page, 'Réglages');
    let message = '';
    page.removeAllListeners('dialog');
    page.once('dialog', (d) => {
      message = d.message();
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await waitFor('the warning', () => message !== '');
    assert.match(message, /pas encore reçus par le serveur/);
    // Dismissed: still logged in, nothing deleted.
    await gotoTab(page, 'Accueil');
    assert.equal((await counts(page)).pending, base.pending + 1);
    await context.setOffline(false);
  });

  await context.close();
});

test('time to a usable form (figures for docs/PWA.md)', async () => {
  const { context, page } = await newPhone(browser, server, PLACES.villeurbanne);
  const cdp = await context.newCDPSession(page);
  // First visit, cold: nothing cached.
  const t0 = Date.now();
  await page.goto('/');
  await page.getByLabel('Adresse e-mail').waitFor();
  const coldLogin = Date.now() - t0;
  await login(page, ACCOUNTS.volunteer2);
  await waitForOfflineReady(page);
  const measure = async () => {
    await page.goto('/nouvelle');
    await page.getByLabel('Contribution', { exact: true }).waitFor();
    return page.evaluate(() => Math.round(performance.getEntriesByName('pv-form-ready')[0].startTime));
  };
  const warm = await measure();
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const slow = await measure();
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  recordFigure('first visit: login screen usable (ms, local server, no throttling)', coldLogin);
  // First visit on a slow mobile network (1.6 Mbit/s down, 150 ms RTT, as DevTools' "Fast 3G"):
  // the login screen does not wait for the 3.6 MB wasm.
  const slowPhone = await newPhone(browser, server, PLACES.villeurbanne);
  const slowCdp = await slowPhone.context.newCDPSession(slowPhone.page);
  await slowCdp.send('Network.enable');
  await slowCdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 93_750 });
  const t1 = Date.now();
  await slowPhone.page.goto('/');
  await slowPhone.page.getByLabel('Adresse e-mail').waitFor({ timeout: 120_000 });
  recordFigure('first visit on a 1.6 Mbit/s, 150 ms network: login screen usable (ms)', Date.now() - t1);
  await slowPhone.context.close();
  recordFigure('form usable after navigation, app cached (ms)', warm);
  recordFigure('form usable after navigation, app cached, CPU x4 slower (ms)', slow);
  assert.ok(slow < 10_000, `form took ${slow} ms`);
  await context.close();
});
