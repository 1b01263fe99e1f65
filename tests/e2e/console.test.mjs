// The officer's and the communes' console against the real server on a
// temporary store: keyboard qualification in the inbox, the list with its
// count and search, the detail with the audited contact details, comments,
// the commune's confinement to its territory; axe-core on every screen and a
// screenshot of each.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNTS, PLACES, addContribution, apiClient, axe, cleanup, counts, gotoTab, launchBrowser, login, newPhone, startServer, waitFor, waitForFirstSync } from './support/harness.mjs';
import { STAFF, consoleLogin, consoleShot, downloadExport, listTotal, newDesktop, openMenu, parseCsv, settled } from './support/console.mjs';

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
  const oldestThree = (await api.get('/api/v1/contributions?status=new&sort=oldest&per_page=3')).items.map((c) => c.id);
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
  // Oldest first: the three were the three oldest new ones, in that order.
  assert.deepEqual(qualified, oldestThree);
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
  // The map: the same figures as the API, and Enter on a commune filters the list.
  await openMenu(page, 'Carte');
  await settled(page);
  const villeurbanne = (await api.get('/api/v1/contributions?commune=69266&per_page=1')).total;
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Villeurbanne', exact: true }) });
  assert.equal(Number((await row.getByRole('cell').textContent()).replace(/\s/g, '')), villeurbanne);
  await page.locator('svg.c-choropleth a[aria-label^="Villeurbanne :"]').focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Contributions' }).waitFor();
  assert.match(page.url(), /commune=69266/);
  assert.equal(await listTotal(page), villeurbanne);
  // Zoomed on that commune: its contributions as points.
  await page.getByRole('link', { name: 'Voir ce filtre sur la carte' }).click();
  await settled(page);
  await waitFor('points', async () => (await page.locator('svg.c-choropleth circle.c-point').count()) > 0);
  await checkScreen(page, 'map-commune');
  await context.close();
});

test('search, a new topic from two contributions, forward, an answer by link without an account, back on the phone', async () => {
  const officerApi = await apiClient(server, STAFF.officer);
  // A volunteer records a contribution about safety and syncs it.
  const phone = await newPhone(browser, server, PLACES.villeurbanne);
  await login(phone.page, ACCOUNTS.volunteer);
  await waitForFirstSync(phone.page);
  const text = 'Rue Francis de Pressensé, le soir on ne se sent pas en sécurité : il manque de l’éclairage.';
  const before = await counts(phone.page);
  await addContribution(phone.page, { kind: 'Préoccupation', themes: ['Sécurité et tranquillité'], text });
  await phone.page.getByRole('button', { name: 'Synchroniser' }).click();
  await waitFor('sent', async () => (await counts(phone.page)).received === before.received + 1, { timeout: 30_000 });

  const { context, page } = await newDesktop(browser, server);
  await consoleLogin(page, STAFF.officer, '/console/contributions');
  await listTotal(page);

  // « Rechercher » securite (no accent) finds the « sécurité » one; the count is the API's.
  await page.getByLabel('Rechercher', { exact: true }).fill('securite');
  await page.getByLabel('Rechercher', { exact: true }).press('Enter');
  await waitFor('search in the URL', () => /q=securite/.test(page.url()));
  const expected = (await officerApi.get('/api/v1/contributions?q=securite&per_page=1')).total;
  await waitFor('search count', async () => (await page.locator('#result-count').textContent()).includes('pour « securite »'));
  // The previous page stays on screen while the search loads: wait for its answer.
  await waitFor('search total', async () => (await listTotal(page)) === expected);
  const mine = page.getByRole('row').filter({ hasText: 'Rue Francis de Pressensé' });
  await mine.waitFor();
  await checkScreen(page, 'search');

  // The CSV export of this filter parses, with the same rows as the list.
  const csv = await downloadExport(page, 'CSV');
  assert.match(csv.name, /\.csv$/);
  const [header, ...lines] = parseCsv(csv.text).filter((r) => r.length > 1);
  assert.equal(header[0], 'id');
  const listed = (await officerApi.contributions('q=securite')).map((c) => c.id).sort();
  assert.deepEqual(lines.map((r) => r[0]).sort(), listed);
  assert.ok(lines.some((r) => r.join(';').includes('Rue Francis de Pressensé')));

  // A recipient in the directory.
  await openMenu(page, 'Destinataires');
  await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Élu·e' });
  await page.getByLabel('Nom', { exact: true }).fill('Mme Claire Dumas');
  await page.getByLabel('Fonction ou délégation').fill('Vice-présidente chargée de la tranquillité publique');
  await page.getByRole('button', { name: 'Ajouter', exact: true }).click();
  await page.getByRole('rowheader', { name: 'Mme Claire Dumas' }).waitFor();
  await checkScreen(page, 'recipients');

  // Two of the results selected → a new topic.
  await page.goBack();
  await waitFor('back on the search', () => /q=securite/.test(page.url()));
  await mine.waitFor();
  await mine.getByRole('checkbox').check();
  const other = page.getByRole('row').filter({ hasNotText: 'Rue Francis de Pressensé' }).filter({ has: page.getByRole('link') }).first();
  await other.getByRole('checkbox').check();
  await page.getByText('2 contributions sélectionnées').waitFor();
  await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Nouveau sujet avec la sélection' });
  await page.getByLabel('Titre du sujet').fill('Éclairage et sentiment d’insécurité le soir');
  await page.getByRole('button', { name: 'Appliquer à la sélection' }).click();
  await page.getByRole('heading', { level: 1, name: 'Éclairage et sentiment d’insécurité le soir' }).waitFor();
  const topicId = page.url().split('/').pop();
  const topic = await officerApi.get(`/api/v1/topics/${topicId}`);
  assert.equal(topic.contributions.length, 2);
  await page.getByRole('cell', { name: /Rue Francis de Pressensé/ }).waitFor();
  // A quote chosen from one of the texts.
  await page.getByLabel('Texte', { exact: true }).selectOption({ label: text.slice(0, 60) });
  await page.getByLabel('Extrait').fill('le soir on ne se sent pas en sécurité');
  await page.getByRole('button', { name: 'Choisir comme citation' }).click();
  await page.locator('#quotes-title + ul blockquote').filter({ hasText: 'le soir on ne se sent pas en sécurité' }).waitFor();
  await checkScreen(page, 'topic');

  // « Transmettre »: recipient, message, due date → the answer link.
  await page.getByRole('button', { name: 'Transmettre' }).click();
  const dialog = page.getByRole('dialog', { name: 'Transmettre le sujet' });
  await dialog.getByLabel('Destinataire').selectOption({ label: 'Mme Claire Dumas — Vice-présidente chargée de la tranquillité publique' });
  await dialog.getByLabel('Message').fill('Madame la Vice-présidente, voici ce que des habitants de Villeurbanne nous ont dit.');
  await dialog.getByRole('button', { name: 'Transmettre' }).click();
  const linkBox = dialog.getByLabel('Lien de réponse à envoyer au destinataire');
  await linkBox.waitFor();
  const link = await linkBox.inputValue();
  assert.match(link, /\/console\/repondre#.+/);
  await checkScreen(page, 'forward-dialog');
  await dialog.getByRole('button', { name: 'Fermer' }).click();
  await waitFor('topic forwarded', async () => (await page.locator('#topic-status').textContent()) === 'transmis');

  // The recipient, with no account, on a phone: the dossier, then the answer.
  const recipient = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR', timezoneId: 'Europe/Paris', isMobile: true, hasTouch: true });
  const rpage = await recipient.newPage();
  await rpage.goto(link);
  await rpage.getByRole('heading', { level: 1, name: 'Répondre à une question des habitants' }).waitFor();
  await rpage.getByRole('heading', { name: /Éclairage et sentiment d’insécurité le soir/ }).waitFor();
  await rpage.getByText('« le soir on ne se sent pas en sécurité »').waitFor();
  assert.equal(await rpage.getByText('Camille Martin').count(), 0, 'no author in the dossier');
  await checkScreen(rpage, 'answer-page');
  const answer = 'L’éclairage de la rue Francis de Pressensé sera renforcé avant la fin du mois.';
  await rpage.getByLabel('Votre réponse').fill(answer);
  await rpage.getByLabel('Votre nom et votre fonction').fill('Claire Dumas, vice-présidente');
  await rpage.getByRole('button', { name: 'Envoyer la réponse' }).click();
  await rpage.getByText('Merci : votre réponse est enregistrée').waitFor();
  await recipient.close();

  // The topic shows « réponse apportée » and the answer.
  await page.reload();
  await waitFor('topic answered', async () => (await page.locator('#topic-status').textContent()) === 'réponse apportée');
  await page.getByText(answer).waitFor();
  await openMenu(page, 'Suivi');
  await page.getByRole('cell', { name: answer }).waitFor();
  await checkScreen(page, 'follow-up');
  await openMenu(page, 'Sujets');
  await page.getByRole('link', { name: 'Éclairage et sentiment d’insécurité le soir' }).waitFor();
  await checkScreen(page, 'topics');
  // An assembly with this topic on its agenda, and its printable dossier.
  await openMenu(page, 'Assemblées');
  await page.getByLabel('Nom de l’assemblée').fill('Assemblée de quartier des Gratte-Ciel');
  await page.getByLabel('Date', { exact: true }).fill('2027-01-15');
  await page.getByLabel('Lieu', { exact: true }).fill('Maison du citoyen');
  await page.getByLabel(/Éclairage et sentiment d’insécurité le soir/).check();
  await page.getByRole('button', { name: 'Créer', exact: true }).click();
  await checkScreen(page, 'assemblies');
  await page.getByRole('link', { name: 'Assemblée de quartier des Gratte-Ciel' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dossier : Assemblée de quartier des Gratte-Ciel' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Éclairage et sentiment d’insécurité le soir' }).waitFor();
  await page.getByText('« le soir on ne se sent pas en sécurité »').waitFor();
  await checkScreen(page, 'assembly-dossier');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.getByRole('navigation', { name: 'Menu de la console' }).isVisible(), false, 'no menu on paper');
  await consoleShot(page, 'assembly-print');
  await page.emulateMedia({ media: 'screen' });
  await context.close();

  // The volunteer's phone: the answer under « Mes contributions » after a sync.
  await gotoTab(phone.page, 'Accueil');
  await phone.page.getByRole('button', { name: 'Synchroniser' }).click();
  await gotoTab(phone.page, 'Mes contributions');
  await waitFor('the answer on the phone', async () => (await phone.page.getByText(answer).count()) > 0, { timeout: 30_000 });
  await phone.context.close();
});

test('the console on a tablet (768 px) and at 200 % zoom (640 px): nothing wider than the window, every menu entry there', async () => {
  for (const [width, name] of [
    [768, 'list-768'],
    [640, 'list-zoom-200'],
  ]) {
    const { context, page } = await newDesktop(browser, server, { width, height: 1000 });
    await consoleLogin(page, STAFF.officer, '/console/contributions');
    await listTotal(page);
    // The page itself never scrolls sideways (the table scrolls in its own box).
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `no horizontal scroll at ${width} px`);
    for (const entry of ['À qualifier', 'Contributions', 'Sujets', 'Suivi', 'Carte', 'Statistiques', 'Destinataires', 'Assemblées']) {
      assert.ok(await page.getByRole('navigation', { name: 'Menu de la console' }).getByRole('link', { name: entry, exact: true }).isVisible(), `${entry} at ${width} px`);
    }
    await checkScreen(page, name);
    await context.close();
  }
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
  assert.doesNotMatch(menu, /À qualifier|Suivi|Destinataires|Assemblées/);
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

  // Its export holds its own contributions only, without the author.
  await openMenu(page, 'Contributions');
  await listTotal(page);
  const csv = await downloadExport(page, 'CSV');
  const [header, ...lines] = parseCsv(csv.text).filter((r) => r.length > 1);
  assert.ok(!header.includes('author'), 'no author column for a commune');
  assert.deepEqual(lines.map((r) => r[0]).sort(), (await vapi.contributions()).map((c) => c.id).sort());
  assert.equal(lines.length, expected);

  await openMenu(page, 'Carte');
  await checkScreen(page, 'commune-map');

  // The topic of the scenario above concerns Villeurbanne: the commune reads
  // it, with the figures of its own member only and the answer given.
  await openMenu(page, 'Sujets');
  await page.getByRole('link', { name: 'Éclairage et sentiment d’insécurité le soir' }).click();
  await page.getByRole('heading', { level: 1, name: 'Éclairage et sentiment d’insécurité le soir' }).waitFor();
  await page.getByText('L’éclairage de la rue Francis de Pressensé sera renforcé avant la fin du mois.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Transmettre' }).count(), 0);
  assert.equal(await page.getByRole('cell', { name: /Lyon/ }).count(), 0, 'no Lyon member shown to Villeurbanne');
  await checkScreen(page, 'commune-topic');
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

test('the officer creates a volunteer account, who logs in; then disables it, and the volunteer is refused', async () => {
  const { context, page } = await newDesktop(browser, server);
  await consoleLogin(page, STAFF.officer);
  await openMenu(page, 'Bénévoles');
  await page.getByRole('heading', { level: 1, name: 'Comptes des bénévoles' }).waitFor();
  const email = `nouvelle-${Date.now()}@exemple.fr`;
  await page.getByLabel('Nom affiché').fill('Nouvelle Bénévole');
  await page.getByLabel('E-mail de connexion').fill(email);
  await page.getByLabel('Mot de passe provisoire (8 caractères au moins)').fill('formation-2026');
  await page.getByRole('button', { name: 'Créer le compte' }).click();
  await page.getByRole('row', { name: /Nouvelle Bénévole/ }).waitFor();
  await checkScreen(page, 'volunteers');
  // The new volunteer logs in with what the officer gave.
  const vol = await apiClient(server, { email, password: 'formation-2026' });
  assert.equal((await vol.get('/api/v1/me')).role, 'volunteer');

  await page.getByRole('button', { name: 'Désactiver le compte de Nouvelle Bénévole' }).click();
  await page.getByRole('button', { name: 'Réactiver le compte de Nouvelle Bénévole' }).waitFor();
  const res = await fetch(server.url + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: 'formation-2026' }),
  });
  assert.equal(res.status, 403);
  assert.equal((await res.json()).error.code, 'account_disabled');
  await context.close();
});
