// Two phones of the same team edit the shared outing (tournée) offline; after
// both sync, the server and both phones hold both edits.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNTS, PLACES, axe, cleanup, gotoTab, launchBrowser, login, newPhone, screenshot, startServer, waitFor, waitForOfflineReady } from './support/harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(() => cleanup(server, browser));

async function openOuting(page) {
  await gotoTab(page, 'Tournée');
  await page.getByRole('heading', { name: 'Tournée', exact: true }).waitFor();
  await waitFor('the shared outing', () => page.getByLabel('Porte ou adresse').isVisible(), { timeout: 30_000 });
}

async function addDoor(page, address) {
  await page.getByLabel('Porte ou adresse').fill(address);
  await page.getByRole('button', { name: 'Ajouter', exact: true }).click();
  await page.locator('li.door', { hasText: address }).waitFor();
}

async function doorAddresses(page) {
  return (await page.locator('li.door h3').allTextContents()).sort();
}

test('two phones edit the same outing offline, then both sync', async () => {
  const a = await newPhone(browser, server, PLACES.villeurbanne);
  const b = await newPhone(browser, server, PLACES.villeurbanne);
  await login(a.page, ACCOUNTS.volunteer);
  await login(b.page, ACCOUNTS.volunteer2);
  await waitForOfflineReady(a.page);
  await waitForOfflineReady(b.page);
  await openOuting(a.page);
  await openOuting(b.page);

  await a.context.setOffline(true);
  await b.context.setOffline(true);

  await addDoor(a.page, '12 avenue Henri-Barbusse');
  const doorA = a.page.locator('li.door', { hasText: '12 avenue Henri-Barbusse' });
  await doorA.getByText('À revoir', { exact: true }).click();
  await doorA.getByLabel(/^Note/).fill('Repasser après 18 h');
  await doorA.getByRole('button', { name: 'Enregistrer la note' }).click();

  await addDoor(b.page, '14 avenue Henri-Barbusse');
  await b.page.locator('li.door', { hasText: '14 avenue Henri-Barbusse' }).getByText('Absent', { exact: true }).click();
  await addDoor(b.page, '16 avenue Henri-Barbusse');
  await waitFor('B counters', async () => (await b.page.locator('#doors-knocked').textContent()) === '2');
  await screenshot(b.page, '08-outing-offline');
  assert.deepEqual(await axe(b.page, 'outing'), []);

  await a.context.setOffline(false);
  await b.context.setOffline(false);
  const all = ['12 avenue Henri-Barbusse', '14 avenue Henri-Barbusse', '16 avenue Henri-Barbusse'];
  // Each phone syncs on the online event; a second sync brings the other's doors.
  for (const p of [a.page, b.page, a.page]) {
    await gotoTab(p, 'Accueil');
    await p.getByRole('button', { name: 'Synchroniser' }).click();
    await waitFor('sync done', async () => (await p.locator('#sync-status').getAttribute('data-phase')) === 'idle' && (await p.locator('#count-pending').isVisible()));
  }
  for (const p of [a.page, b.page]) {
    await openOuting(p);
    await waitFor('both phones see every door', async () => JSON.stringify(await doorAddresses(p)) === JSON.stringify(all), { timeout: 30_000 });
  }
  assert.equal(await a.page.locator('#doors-knocked').textContent(), '3');
  const onB = b.page.locator('li.door', { hasText: '12 avenue Henri-Barbusse' });
  assert.equal(await onB.getByLabel(/^Note/).inputValue(), 'Repasser après 18 h');
  assert.equal(await onB.locator('input[value="a_revoir"]').isChecked(), true);
  assert.equal(await a.page.locator('li.door', { hasText: '14 avenue Henri-Barbusse' }).locator('input[value="absent"]').isChecked(), true);
  await screenshot(a.page, '09-outing-merged');

  // A volunteer can also start a new outing (with themself in the team); the server takes it.
  await a.page.locator('summary', { hasText: 'Créer une tournée' }).click();
  await a.page.getByLabel('Lieu de la tournée').fill('Marché du Tonkin');
  await a.page.getByRole('button', { name: 'Créer la tournée' }).click();
  await a.page.getByText('Marché du Tonkin', { exact: false }).first().waitFor();
  await addDoor(a.page, '1 place du Marché');
  await waitFor('the new outing received by the server', async () => {
    const recs = await a.page.evaluate(async () => (await window.porteVoix.store.records('outing')).map((r) => r.sync));
    return recs.length === 2 && recs.every((s) => s === 'received');
  }, { timeout: 30_000 });

  // The server holds the merged outing: a third phone that never saw it gets it whole.
  const c = await newPhone(browser, server, PLACES.villeurbanne);
  await login(c.page, ACCOUNTS.volunteer);
  await openOuting(c.page);
  const chooser = c.page.getByLabel('Tournée affichée');
  await waitFor('both outings on the fresh phone', async () => (await chooser.locator('option').count()) === 2, { timeout: 30_000 });
  const demo = (await chooser.locator('option').allTextContents()).find((t) => !t.includes('Tonkin'));
  await chooser.selectOption({ label: demo });
  await waitFor('a fresh phone gets every door from the server', async () => JSON.stringify(await doorAddresses(c.page)) === JSON.stringify(all), { timeout: 30_000 });
  for (const x of [a, b, c]) await x.context.close();
});
