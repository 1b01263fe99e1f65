// Starts the real `porte-voix` server on a temporary store filled by
// `porte-voix demo`, and talks plain HTTP to it. Every wait polls with a
// deadline; there is no fixed sleep.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The server binary: `PORTE_VOIX_BIN`, relative paths taken from tests/interop. */
export const BIN = resolve(here, process.env.PORTE_VOIX_BIN ?? '../../target/debug/porte-voix');

/** The demo accounts printed by `porte-voix demo`. */
export const ACCOUNTS = {
  volunteer: { email: 'benevole@demo.porte-voix.fr', password: 'benevole-demo' },
  volunteer2: { email: 'benevole2@demo.porte-voix.fr', password: 'benevole-demo' },
  officer: { email: 'charge@demo.porte-voix.fr', password: 'charge-demo' },
  villeurbanne: { email: 'villeurbanne@demo.porte-voix.fr', password: 'commune-demo' },
  lyon3: { email: 'lyon3@demo.porte-voix.fr', password: 'commune-demo' },
};

/** Polls `fn` until it returns a truthy value, or throws after `timeout` ms. */
export async function waitFor(what, fn, { timeout = 30_000, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * Seeds a temporary store with `porte-voix demo`, then runs `porte-voix serve`
 * on a free port. Returns `{ url, stop() }`; `stop` kills the server and
 * removes the store.
 */
export async function startServer({ timeout = 60_000 } = {}) {
  if (!existsSync(BIN)) {
    throw new Error(
      `server binary not found at ${BIN}: run \`cargo build -p porte-voix-server\` at the repository root, or set PORTE_VOIX_BIN`,
    );
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'porte-voix-interop-'));
  const env = { ...process.env, PORTE_VOIX_DATA_DIR: dataDir, RUST_LOG: process.env.RUST_LOG ?? 'warn' };
  const demo = spawnSync(BIN, ['demo'], { env, encoding: 'utf8', timeout });
  if (demo.status !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`porte-voix demo failed (${demo.status ?? demo.signal}): ${demo.stderr || demo.error}`);
  }

  const child = spawn(BIN, ['serve'], {
    env: { ...env, PORTE_VOIX_PORT: '0', PORTE_VOIX_BIND: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exited = null;
  child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s) => (stderr = (stderr + s).slice(-20_000)));
  child.on('exit', (code, signal) => (exited = { code, signal }));

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      try {
        await waitFor('the server to stop', () => exited, { timeout: 10_000 });
      } catch {
        child.kill('SIGKILL');
        await waitFor('the server to die', () => exited, { timeout: 5_000 }).catch(() => {});
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const url = await waitFor(
      'the "listening on" line',
      () => {
        if (exited) throw new Error(`server exited (${exited.code ?? exited.signal}): ${stderr}`);
        return stdout.match(/listening on (http:\/\/[^\s]+)/)?.[1];
      },
      { timeout },
    );
    await waitFor(
      'GET /health',
      async () => {
        if (exited) throw new Error(`server exited (${exited.code ?? exited.signal}): ${stderr}`);
        return (await fetch(`${url}/health`)).ok;
      },
      { timeout },
    );
    return { url, dataDir, stop, logs: () => stderr };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** JSON over HTTP; returns `{ status, body }` (body parsed when JSON). */
export async function http(url, { method = 'GET', token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}
