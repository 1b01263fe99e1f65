// What a first visit downloads: the service worker precaches the files of
// dist/ (app shell, Automerge wasm, territory outlines, icons) except the
// console's chunk (`assets/console-*`, fetched only when /console opens).
// Prints gzip -9 sizes, wasm vs everything else, and the first visit as
// precached (the files listed in sw.js, plus sw.js and its Workbox runtime).
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
console.log(`dist/ total (every file built): ${kb(sum(rows, 'gzip'))} gzipped`);

// The precache list as the service worker has it (sw.js names its files in `url:"..."`).
const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
const precached = new Set([...sw.matchAll(/url:"([^"]+)"/g)].map((m) => m[1].replace(/^\//, '')));
const firstVisit = rows.filter((r) => precached.has(r.file) || r.file === 'sw.js' || /^workbox-[\w-]+\.js$/.test(r.file));
const consoleChunk = rows.filter((r) => r.file.startsWith('assets/console-'));
console.log(`volunteer's first visit (precached + sw.js + workbox): ${kb(sum(firstVisit, 'gzip'))} gzipped (${firstVisit.length} files), of which non-wasm ${kb(sum(firstVisit.filter((r) => !r.file.endsWith('.wasm')), 'gzip'))}`);
console.log(`console chunk (loaded on /console only, not precached): ${kb(sum(consoleChunk, 'gzip'))} gzipped (${consoleChunk.map((r) => r.file).join(', ') || 'none'})`);
