// What a first visit downloads: the service worker precaches every file of
// dist/ (app shell, Automerge wasm, territory outlines, icons), so the sum of
// dist/ is the first-visit cost. Prints gzip -9 sizes, wasm vs everything else.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const files = [];
(function walk(dir) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
})(dist);

const rows = files.map((p) => {
  const raw = readFileSync(p);
  return { file: relative(dist, p), raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
});
const kb = (n) => (n / 1024).toFixed(1) + ' KiB';
const sum = (rs, k) => rs.reduce((a, r) => a + r[k], 0);
const wasm = rows.filter((r) => r.file.endsWith('.wasm'));
const rest = rows.filter((r) => !r.file.endsWith('.wasm'));
for (const r of rows.sort((a, b) => b.gzip - a.gzip)) console.log(`${r.file.padEnd(48)} ${kb(r.raw).padStart(12)} ${kb(r.gzip).padStart(12)} gz`);
console.log('');
console.log(`Automerge wasm: ${kb(sum(wasm, 'raw'))} raw, ${kb(sum(wasm, 'gzip'))} gzipped`);
console.log(`everything else: ${kb(sum(rest, 'raw'))} raw, ${kb(sum(rest, 'gzip'))} gzipped (${rest.length} files)`);
console.log(`first visit total: ${kb(sum(rows, 'gzip'))} gzipped`);
