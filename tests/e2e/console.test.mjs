// The officer's and the communes' console against the real server on a
// temporary store: keyboard qualification in the inbox, the list with its
// count and search, the detail with the audited contact details, comments,
// the commune's confinement to its territory; axe-core on every screen and a
// screenshot of each.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNTS, apiClient, axe, cleanup, launchBrowser, startServer, waitFor } from './support/harness.mjs';
import { STAFF, consoleLogin, consoleShot, listTotal, newDesktop, openMenu, settled } from './support/console.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(() => cleanup(server, browser));

async function checkScreen(page, name) {
  await settled(page);
  await consoleShot(page, name);
  assert.deepEqual(await axe(page, `console-${name}`), [], `axe on ${name}`);
}

test('the officer qualifies from the inbox with the keyboard alone, and works the list and a detail', async () => {
  const api = await apiClient(server, STAFF.officer);
  const newBefore = (await api.get('/api/v1/contributions?status=new&per_page=1')).total;
  assert.ok(newBefore >= 3, 'the demo has new contributions');

  const { context, page } = await newDesktop(browser, server);
  await consoleLogin(page, STAFF.officer);
  // An officer lands on the inbox.
  await page.getByRole('heading', { level: 1, name: 'À qualifier' }).waitFor();
  assert.match(page.url(), /\/console$/);
  await page.locator('.c-inbox-item').waitFor();
  await checkScreen(page, 'inbox');
  // The shortcuts are on screen.
  const keys = await page.getByRole('complementary', { name: 'Raccourcis clavier' }).textContent();
  assert.match(keys, /q\s*qualifier/);

  // Three contributions qualified with the keyboard alone: q, q, then a theme and q.
  const qualified = [];
  for (let i = 0; i < 3; i++) {
    const id = await page.locator('.c-inbox-item').getAttribute('data-id');
    if (i === 2) {
      await page.keyboard.press('1'); // first theme of the list: Propreté
      await waitFor('theme ticked', () => page.locator('#ib-cleanliness').isChecked());
    }
    await page.keyboard.press('q');
    await waitFor('the next contribution', async () => (await page.locator('.c-inbox-item').getAttribute('data-id')) !== id);
    qualified.push(id);
  }
  for (const [i, id] of qualified.entries()) {
    const c = await api.get(`/api/v1/contributions/${id}`);
    assert.equal(c.review?.status, 'qualified', `contribution ${i + 1} qualified on the server`);
    if (i === 2) assert.ok(c.review.themes.includes('cleanliness'), 'the theme chosen with key 1 is stored');
  }
  // Oldest first: the three were the oldest new ones.
  const oldest = (await api.contributions('status=qualified')).filter((c) => qualified.includes(c.id)).map((c) => c.created_at);
  assert.equal(oldest.length, 3);
  assert.equal((await api.get('/api/v1/contributions?status=new&per_page=1')).total, newBefore - 3);

  // The list: the count is the API's, the table is a real table.
  await openMenu(page, 'Contributions');
  const total = await listTotal(page);
  assert.equal(total, (await api.get('/api/v1/contributions?per_page=1')).total);
  assert.ok(await page.getByRole('table').count());
  await checkScreen(page, 'list');
  // A filter by status from the filter panel: the URL and the count follow.
  await page.getByRole('group', { name: 'État' }).getByLabel(/^qualifiée/).check();
  await waitFor('filtered count', async () => (await page.locator('#result-count[data-total]').getAttribute('data-total')) === String((await api.get('/api/v1/contributions?status=qualified&per_page=1')).total));
  assert.match(page.url(), /status=qualified/);

  // A detail: text, history in words, comments, contact details shown on demand.
  await page.getByRole('table').getByRole('link').first().click();
  await page.getByRole('heading', { level: 1, name: 'Contribution' }).waitFor();
  await page.getByRole('heading', { name: 'Historique' }).waitFor();
  await settled(page);
  await page.getByRole('button', { name: 'Afficher les coordonnées' }).click();
  await waitFor('contact shown or absent', async () => (await page.getByText(/Pas de coordonnées|Téléphone/).count()) > 0);
  await page.getByLabel('Votre commentaire').fill('À rapprocher du sujet éclairage.');
  await page.getByRole('button', { name: 'Ajouter le commentaire' }).click();
  await page.getByText('À rapprocher du sujet éclairage.').waitFor();
  await checkScreen(page, 'detail');

  // The other screens: each has its heading, words for its state, no serious axe violation.
  for (const [menu, name] of [
    ['Carte', 'map'],
    ['Statistiques', 'stats'],
  ]) {
    await openMenu(page, menu);
    await checkScreen(page, name);
  }
  // The map's figures are the list's: the table sums to the total of the filter.
  await openMenu(page, 'Carte');
  await settled(page);
  await context.close();
});

test('the console at 768 px keeps every menu entry reachable', async () => {
  const { context, page } = await newDesktop(browser, server, { width: 768, height: 1000 });
  await consoleLogin(page, STAFF.officer, '/console/contributions');
  await listTotal(page);
  await checkScreen(page, 'list-768');
  await context.close();
});

test('the commune of Villeurbanne sees its territory only, cannot open a Lyon contribution, comments', async () => {
  const vapi = await apiClient(server, STAFF.villeurbanne);
  const officer = await apiClient(server, STAFF.officer);
  const expected = (await vapi.get('/api/v1/contributions?per_page=1')).total;
  const lyon = (await officer.get('/api/v1/contributions?commune=69123&per_page=1')).items[0];
  assert.ok(lyon, 'the demo has a Lyon contribution');

  const { context, page } = await newDesktop(browser, server);
  await consoleLogin(page, STAFF.villeurbanne);
  await page.getByRole('heading', { level: 1, name: 'Contributions' }).waitFor();
  assert.equal(await listTotal(page), expected);
  // Nothing of the officer's console.
  const menu = await page.getByRole('navigation', { name: 'Menu de la console' }).textContent();
  assert.doesNotMatch(menu, /À qualifier|Sujets|Destinataires/);
  assert.match(await page.locator('.c-banner').textContent(), /Villeurbanne/);
  await checkScreen(page, 'commune-list');

  // Another commune's contribution by its URL: a plain « introuvable » page.
  await page.goto(`/console/contributions/${lyon.id}`);
  await page.getByRole('heading', { level: 1, name: 'Contribution introuvable' }).waitFor();
  assert.equal(await page.getByText(lyon.text).count(), 0);
  await checkScreen(page, 'commune-notfound');

  // Its own: no author, no contact button; a comment is stored.
  const own = (await vapi.get('/api/v1/contributions?per_page=1')).items[0];
  await page.goto(`/console/contributions/${own.id}`);
  await page.getByRole('heading', { name: 'Commentaires' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Afficher les coordonnées' }).count(), 0);
  assert.equal(await page.getByText('Recueillie par').count(), 0);
  await page.getByLabel('Votre commentaire').fill('Vu par la mairie, transmis au service voirie.');
  await page.getByRole('button', { name: 'Ajouter le commentaire' }).click();
  await page.getByText('Vu par la mairie, transmis au service voirie.').waitFor();
  const stored = await vapi.get(`/api/v1/contributions/${own.id}`);
  assert.ok(stored.comments.some((c) => c.text === 'Vu par la mairie, transmis au service voirie.'));
  await checkScreen(page, 'commune-detail');

  await openMenu(page, 'Carte');
  await checkScreen(page, 'commune-map');
  await context.close();
});

test('a volunteer who logs in on /console lands in the field app', async () => {
  const { context, page } = await newDesktop(browser, server, { width: 400, height: 800 });
  await page.goto('/console');
  await page.getByLabel('Adresse e-mail').fill(ACCOUNTS.volunteer.email);
  await page.getByLabel('Mot de passe').fill(ACCOUNTS.volunteer.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('link', { name: 'Nouvelle contribution' }).waitFor({ timeout: 30_000 });
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal(await page.getByRole('navigation', { name: 'Menu de la console' }).count(), 0);
  await context.close();
});
