// Keyboard only (RGAA / WCAG 2.1.1): a contribution can be recorded without
// a pointer, in a sensible focus order.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNTS, PLACES, apiClient, cleanup, counts, launchBrowser, login, newPhone, startServer, waitFor, waitForFirstSync } from './support/harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(() => cleanup(server, browser));

const focused = (page) =>
  page.evaluate(() => {
    const a = document.activeElement;
    return { id: a?.id ?? '', tag: a?.tagName ?? '', value: a?.getAttribute('value') ?? '' };
  });

test('record a contribution with the keyboard alone', async () => {
  const { context, page } = await newPhone(browser, server, PLACES.villeurbanne);
  await login(page, ACCOUNTS.volunteer2);
  await waitForFirstSync(page);
  const base = await counts(page);
  await page.getByRole('link', { name: 'Nouvelle contribution' }).focus();
  await page.keyboard.press('Enter');
  await page.getByLabel('Contribution', { exact: true }).waitFor();

  // Focus order: kind (radio group), then the text, then the themes.
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).value, 'concern');
  await page.keyboard.press('ArrowDown'); // radio group: arrows move and select
  assert.equal((await focused(page)).value, 'expectation');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'text');
  await page.keyboard.type('Dicté au clavier : plus de bancs dans le parc');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).value, 'cleanliness');
  await page.keyboard.press('Space');

  for (let i = 0; i < 60 && (await focused(page)).id !== 'save'; i++) await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'save');
  await page.keyboard.press('Enter');
  await page.getByRole('link', { name: 'Nouvelle contribution' }).waitFor();
  await waitFor('saved and sent', async () => (await counts(page)).received === base.received + 1, { timeout: 30_000 });
  const api = await apiClient(server, ACCOUNTS.volunteer2);
  const c = (await api.contributions('author=me')).find((x) => x.text === 'Dicté au clavier : plus de bancs dans le parc');
  assert.equal(c.kind, 'expectation');
  assert.deepEqual(c.themes, ['cleanliness']);
  await context.close();
});
