// Console timings for docs/PERFORMANCE.md (a benchmark, not a test):
// time from login to a usable inbox, time to a filtered list, and the median
// seconds per contribution qualified with the keyboard over a scripted run of
// 20 (press q, wait for the next one). Real server on a temporary demo store.
//   cd tests/e2e && node support/console-bench.mjs
import { cleanup, launchBrowser, startServer, waitFor } from './harness.mjs';
import { STAFF, consoleLogin, newDesktop } from './console.mjs';

const server = await startServer();
const browser = await launchBrowser();
try {
  const { page } = await newDesktop(browser, server);
  let t0 = performance.now();
  await consoleLogin(page, STAFF.officer);
  await page.locator('.c-inbox-item').waitFor();
  const loginMs = performance.now() - t0;
  // A cold load of the inbox, logged in (what the officer sees each morning).
  t0 = performance.now();
  await page.goto('/console/a-qualifier');
  await page.locator('.c-inbox-item').waitFor();
  const inboxMs = performance.now() - t0;

  const per = [];
  for (let i = 0; i < 20; i++) {
    const id = await page.locator('.c-inbox-item').getAttribute('data-id');
    const t = performance.now();
    await page.keyboard.press('q');
    await waitFor('next', async () => (await page.locator('.c-inbox-item').getAttribute('data-id')) !== id);
    per.push((performance.now() - t) / 1000);
  }
  per.sort((a, b) => a - b);
  const median = (per[9] + per[10]) / 2;

  t0 = performance.now();
  await page.goto('/console/contributions?status=qualified&theme=safety');
  await page.locator('#result-count[data-total]').waitFor();
  const listMs = performance.now() - t0;
  const total = await page.locator('#result-count').getAttribute('data-total');
  console.log(`login to a usable inbox (password check included): ${loginMs.toFixed(0)} ms`);
  console.log(`usable inbox, cold page load while logged in: ${inboxMs.toFixed(0)} ms`);
  console.log(`keyboard qualification, 20 contributions: median ${median.toFixed(3)} s, max ${per[19].toFixed(3)} s`);
  console.log(`filtered list (status=qualified&theme=safety, ${total} results), cold page load: ${listMs.toFixed(0)} ms`);
} finally {
  await cleanup(server, browser);
}
