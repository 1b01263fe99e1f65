// Helpers for the console's browser tests: a desktop context (1280 px, French,
// Paris time), logging in through the same login screen as the field app,
// and the accounts of the demo communes.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, waitFor } from './harness.mjs';

export const STAFF = {
  officer: { email: 'charge@demo.porte-voix.fr', password: 'charge-demo' },
  villeurbanne: { email: 'villeurbanne@demo.porte-voix.fr', password: 'commune-demo', commune: '69266' },
  lyon3: { email: 'lyon3@demo.porte-voix.fr', password: 'commune-demo', commune: '69383' },
};

/** A desktop browser context (or a tablet with `width: 768`). */
export async function newDesktop(browser, server, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({
    baseURL: server.url,
    viewport: { width, height },
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[console page error]', e.message));
  page.on('dialog', (d) => void d.accept());
  return { context, page };
}

/** Logs in on the shared login screen; a staff account lands in the console. */
export async function consoleLogin(page, account, path = '/console') {
  await page.goto(path);
  await page.getByLabel('Adresse e-mail').fill(account.email);
  await page.getByLabel('Mot de passe').fill(account.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('navigation', { name: 'Menu de la console' }).waitFor({ timeout: 30_000 });
}

export async function openMenu(page, name) {
  await page.getByRole('navigation', { name: 'Menu de la console' }).getByRole('link', { name, exact: true }).click();
  await page.locator('#console-main h1').first().waitFor();
}

/** The result count the list shows, as a number (`data-total`, once loaded). */
export async function listTotal(page) {
  const el = page.locator('#result-count[data-total]');
  await el.waitFor({ timeout: 30_000 });
  return Number(await el.getAttribute('data-total'));
}

/** Waits until no "Chargement…" state is left in the console's main area. */
export async function settled(page) {
  await waitFor('console loaded', async () => (await page.locator('#console-main .state-loading').count()) === 0, { timeout: 30_000 });
}

export async function consoleShot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `console-${name}.png`), fullPage: true });
}

/** Parses a CSV file (separator `;` or `,`, quoted fields, CRLF, optional BOM) into rows of strings. */
export function parseCsv(text, sep = ';') {
  const s = text.replace(/^\ufeff/, '');
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Clicks an export button of the list and returns the downloaded file's text and name. */
export async function downloadExport(page, label) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('group', { name: 'Exporter le filtre' }).getByRole('button', { name: label, exact: true }).click()]);
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
}
