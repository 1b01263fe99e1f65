// The session runs out while the volunteer is in the field: they keep
// working, and are asked to log in again only to sync; nothing is lost.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNTS, PLACES, addContribution, apiClient, cleanup, counts, launchBrowser, login, newPhone, startServer, waitFor, waitForFirstSync } from './support/harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(() => cleanup(server, browser));

test('an expired session blocks only the sync; logging in again sends what was recorded', async () => {
  const { context, page } = await newPhone(browser, server, PLACES.villeurbanne);
  await login(page, ACCOUNTS.volunteer);
  await waitForFirstSync(page);
  const base = await counts(page);

  // Days offline: the access token is stale and the refresh token no longer works.
  await context.setOffline(true);
  await page.evaluate(async () => {
    const s = window.porteVoix.store;
    const session = await s.getMeta('session');
    await s.setMeta('session', { ...session, expires_at: 0, refresh_token: 'expired-refresh-token' });
  });
  await addContribution(page, { kind: 'Préoccupation', text: 'Saisie après l’expiration de la session' });
  assert.equal((await counts(page)).pending, base.pending + 1);

  await context.setOffline(false);
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await waitFor('the request to log in again', async () => (await page.locator('#sync-status').getAttribute('data-phase')) === 'need_login');
  assert.match(await page.locator('#sync-status').textContent(), /reconnectez-vous/);
  // Still usable: the form opens and saves.
  // (and the place picked from the commune list, as when GPS is off or poor)
  await addContribution(page, { kind: 'Attente', text: 'Encore une, toujours sans session', commune: 'Lyon 3e Arrondissement' });
  assert.equal((await counts(page)).pending, base.pending + 2);

  await page.getByRole('link', { name: 'Se reconnecter' }).click();
  assert.equal(await page.getByLabel('Adresse e-mail').inputValue(), ACCOUNTS.volunteer.email);
  await page.getByLabel('Mot de passe').fill(ACCOUNTS.volunteer.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await waitFor('both received', async () => (await counts(page)).received === base.received + 2, { timeout: 30_000 });
  assert.equal((await counts(page)).pending, 0);
  const api = await apiClient(server, ACCOUNTS.volunteer);
  const picked = (await api.contributions('author=me')).find((c) => c.text === 'Encore une, toujours sans session');
  assert.equal(picked.declared_commune, '69383');
  assert.equal(picked.location.source, 'commune');
  assert.equal(picked.geo.arrondissement, '69383');
  await context.close();
});
