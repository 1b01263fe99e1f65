// Browser end-to-end harness: a real `porte-voix` server on a temporary store,
// Debian's Chromium through playwright-core, phones as mobile browser contexts
// with a mocked GPS. Every wait polls with a deadline; no fixed sleeps.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const e2e = resolve(here, '..');
const require = createRequire(import.meta.url);

export const BIN = resolve(e2e, process.env.PORTE_VOIX_BIN ?? '../../target/debug/porte-voix');
export const PWA_DIR = resolve(e2e, process.env.PORTE_VOIX_PWA_DIR ?? '../../pwa/dist');
export const ARTIFACTS = resolve(e2e, process.env.PORTE_VOIX_ARTIFACTS ?? '../artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const ACCOUNTS = {
  volunteer: { email: 'benevole@demo.porte-voix.fr', password: 'benevole-demo' },
  volunteer2: { email: 'benevole2@demo.porte-voix.fr', password: 'benevole-demo' },
  officer: { email: 'charge@demo.porte-voix.fr', password: 'charge-demo' },
};

/** Places with a known commune (checked against the territory outlines). */
export const PLACES = {
  villeurbanne: { latitude: 45.7676, longitude: 4.8799, accuracy: 12, commune: '69266' }, // Gratte-Ciel
  lyon3: { latitude: 45.7605, longitude: 4.859, accuracy: 15, commune: '69123', arrondissement: '69383' }, // Part-Dieu
  bron: { latitude: 45.7386, longitude: 4.9127, accuracy: 20, commune: '69029' },
};

export async function waitFor(what, fn, { timeout = 30_000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

function checkPrerequisites() {
  const missing = [];
  if (!existsSync(BIN)) missing.push(`server binary ${BIN} (cargo build, or set PORTE_VOIX_BIN)`);
  if (!existsSync(join(PWA_DIR, 'index.html'))) missing.push(`built PWA in ${PWA_DIR} (cd pwa && npm run build)`);
  if (!existsSync(CHROMIUM)) missing.push(`Chromium at ${CHROMIUM} (apt-get install chromium)`);
  if (missing.length) throw new Error('missing: ' + missing.join('; '));
}

export class Server {
  constructor(dataDir) {
    this.dataDir = dataDir;
    this.port = 0;
    this.proc = null;
    this.log = '';
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  env(port) {
    return { ...process.env, PORTE_VOIX_DATA_DIR: this.dataDir, PORTE_VOIX_PWA_DIR: PWA_DIR, PORTE_VOIX_PORT: String(port), PORTE_VOIX_BIND: '127.0.0.1', RUST_LOG: process.env.RUST_LOG ?? 'warn' };
  }

  demo() {
    const r = spawnSync(BIN, ['demo'], { env: this.env(0), encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`porte-voix demo failed (${r.status}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Starts `serve`; the first time on a free port, then again on the same one (same origin for the phones). */
  async start() {
    const proc = spawn(BIN, ['serve'], { env: this.env(this.port), stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    const port = await new Promise((res, rej) => {
      let out = '';
      const timer = setTimeout(() => rej(new Error(`server did not print "listening on" in 30 s:\n${this.log}`)), 30_000);
      proc.stdout.on('data', (b) => {
        out += b;
        this.log += b;
        const m = out.match(/listening on http:\/\/[^:\s]+:(\d+)/);
        if (m) {
          clearTimeout(timer);
          res(Number(m[1]));
        }
      });
      proc.stderr.on('data', (b) => (this.log += b));
      proc.on('exit', (code) => {
        clearTimeout(timer);
        rej(new Error(`server exited (${code}) before listening:\n${this.log}`));
      });
    });
    this.port = port;
    await waitFor('GET /health', async () => (await fetch(this.url + '/health')).ok, { timeout: 15_000 });
    return this;
  }

  /** SIGKILL: no graceful shutdown, like a power cut. */
  async kill(signal = 'SIGKILL') {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    // A server that ignores SIGTERM must not hang the suite.
    const timer = signal === 'SIGKILL' ? null : setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    if (timer) clearTimeout(timer);
    this.proc = null;
  }

  async stop() {
    await this.kill('SIGTERM');
  }
}

export async function startServer() {
  checkPrerequisites();
  const dataDir = mkdtempSync(join(tmpdir(), 'porte-voix-e2e-'));
  const server = new Server(dataDir);
  server.demo();
  await server.start();
  return server;
}

export async function cleanup(server, browser) {
  await browser?.close().catch(() => {});
  if (server) {
    await server.stop().catch(() => {});
    if (!process.env.KEEP_DATA) rmSync(server.dataDir, { recursive: true, force: true });
  }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** A mid-range Android phone: 360 px wide, touch, French, GPS granted. */
export async function newPhone(browser, server, place = PLACES.villeurbanne) {
  const context = await browser.newContext({
    baseURL: server.url,
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    geolocation: { latitude: place.latitude, longitude: place.longitude, accuracy: place.accuracy },
    permissions: ['geolocation'],
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  page.on('dialog', (d) => void d.accept());
  return { context, page };
}

export async function login(page, account) {
  await page.goto('/');
  await page.getByLabel('Adresse e-mail').fill(account.email);
  await page.getByLabel('Mot de passe').fill(account.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('link', { name: 'Nouvelle contribution' }).waitFor({ timeout: 30_000 });
}

/** Waits until the service worker controls the page, i.e. the app shell is precached. */
export async function waitForOfflineReady(page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await waitFor('service worker control', () => page.evaluate(() => !!navigator.serviceWorker.controller), { timeout: 30_000 });
}

/** Waits for the first sync after login (the demo outing and any demo contributions arrive). */
export async function waitForFirstSync(page) {
  await waitFor('first sync', async () => {
    const phase = await page.locator('#sync-status').getAttribute('data-phase');
    const last = await page.locator('#last-sync').textContent();
    return phase === 'idle' && last !== 'jamais';
  }, { timeout: 30_000 });
}

export async function counts(page) {
  const n = async (id) => Number(await page.locator(`#${id}`).textContent());
  return { pending: await n('count-pending'), received: await n('count-received'), refused: await n('count-refused') };
}

export async function gotoTab(page, name) {
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name }).click();
}

/** Fills and saves the contribution form. */
export async function addContribution(page, { kind = 'Préoccupation', themes = [], text, commune, contact }) {
  await page.getByRole('link', { name: 'Nouvelle contribution' }).click();
  await page.getByLabel('Contribution', { exact: true }).waitFor();
  await page.getByText(kind, { exact: true }).click();
  for (const t of themes) await page.getByText(t, { exact: true }).click();
  await page.getByLabel('Contribution', { exact: true }).fill(text);
  if (commune) await page.getByLabel('Commune', { exact: true }).selectOption({ label: commune });
  else await waitFor('GPS position', async () => /Position GPS/.test((await page.locator('#loc-status').textContent()) ?? ''));
  if (contact) {
    await page.getByText('Coordonnées (facultatif)').click();
    await page.getByLabel('La personne accepte d’être recontactée et donne ses coordonnées').check();
    await page.getByLabel('Nom', { exact: true }).fill(contact.name);
    await page.getByLabel('Téléphone', { exact: true }).fill(contact.phone);
  }
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByRole('link', { name: 'Nouvelle contribution' }).waitFor();
}

/** What the phone's store holds (through the app's own store object). */
export async function phoneStore(page) {
  return page.evaluate(async () => {
    const s = window.porteVoix.store;
    return { contacts: await s.contacts(), records: (await s.records()).map((r) => ({ id: r.id, type: r.type, sync: r.sync })) };
  });
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0)); // sticky bars drawn where they belong
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core on the page; returns the serious and critical violations. */
export async function axe(page, label) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }),
  );
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, `axe-${label}.json`), JSON.stringify(result.violations, null, 2));
  return bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** A REST client for the checks (as a real API user, not through the phone). */
export async function apiClient(server, account) {
  const res = await fetch(server.url + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(account),
  });
  if (!res.ok) throw new Error(`login ${account.email}: ${res.status} ${await res.text()}`);
  const { access_token, user } = await res.json();
  const call = async (method, path, body) => {
    const r = await fetch(server.url + path, {
      method,
      headers: { Authorization: `Bearer ${access_token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    user,
    get: (p) => call('GET', p),
    put: (p, b) => call('PUT', p, b),
    /** Every contribution this account may read: `{items, total, page, per_page}`, page by page. */
    async contributions(query = '') {
      const all = new Map();
      for (let page = 1; page <= 100; page++) {
        const r = await call('GET', `/api/v1/contributions?${query}${query ? '&' : ''}page=${page}&per_page=200`);
        const items = Array.isArray(r) ? r : r.items;
        for (const it of items) all.set(it.id, it);
        if (Array.isArray(r) || items.length < 200 || all.size >= (r.total ?? Infinity)) break;
      }
      return [...all.values()];
    },
  };
}
