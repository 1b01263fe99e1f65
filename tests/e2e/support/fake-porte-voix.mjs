#!/usr/bin/env node
// A development double of the `porte-voix` binary, for writing the browser
// tests before the Rust server existed, and for running them where it is not
// built (`npm run test:fake`). It follows docs/SYNC-PROTOCOL.md loosely and is
// NOT the contract: `npm test` runs against the real binary.
import * as Automerge from '@automerge/automerge';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const DATA = resolve(process.env.PORTE_VOIX_DATA_DIR ?? './data');
const PWA = resolve(process.env.PORTE_VOIX_PWA_DIR ?? join(here, '../../../pwa/dist'));
const PORT = Number(process.env.PORTE_VOIX_PORT ?? 8080);
const STATE = join(DATA, 'fake-state.json');
const territory = JSON.parse(readFileSync(join(here, '../../../pwa/src/geo/territory.json'), 'utf8'));
const imm = (s) => new Automerge.ImmutableString(s);
const str = (v) => (v == null ? undefined : String(v));

function load() {
  if (!existsSync(STATE)) return null;
  const s = JSON.parse(readFileSync(STATE, 'utf8'));
  s.docs = Object.fromEntries(Object.entries(s.docs).map(([id, d]) => [id, { ...d, doc: Automerge.load(Buffer.from(d.bytes, 'base64')) }]));
  return s;
}
function save(s) {
  mkdirSync(DATA, { recursive: true });
  const out = { ...s, docs: Object.fromEntries(Object.entries(s.docs).map(([id, d]) => [id, { type: d.type, seq: d.seq, bytes: Buffer.from(Automerge.save(d.doc)).toString('base64') }])) };
  const tmp = STATE + '.tmp';
  const fd = openSync(tmp, 'w');
  writeSync(fd, JSON.stringify(out));
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, STATE);
}

const users = [
  ['benevole@demo.porte-voix.fr', 'benevole-demo', 'volunteer', null, 'Bénévole Démo'],
  ['benevole2@demo.porte-voix.fr', 'benevole-demo', 'volunteer', null, 'Bénévole Deux'],
  ['charge@demo.porte-voix.fr', 'charge-demo', 'officer', null, 'Chargée de mission'],
  ['villeurbanne@demo.porte-voix.fr', 'commune-demo', 'commune', '69266', 'Villeurbanne'],
  ['lyon3@demo.porte-voix.fr', 'commune-demo', 'commune', '69383', 'Lyon 3e'],
  ['admin@demo.porte-voix.fr', 'admin-demo', 'admin', null, 'Admin'],
].map(([email, password, role, commune, name]) => ({ id: randomUUID(), email, password, role, commune, name }));

if (process.argv[2] === 'demo') {
  if (existsSync(STATE)) process.exit(0);
  const vols = users.filter((u) => u.role === 'volunteer').map((u) => u.id);
  const outingId = randomUUID();
  let o = Automerge.change(Automerge.init(), (d) => {
    d.id = imm(outingId); d.type = imm('outing'); d.schema = 1; d.campaign = imm('aller-vers-2026');
    d.date = imm(new Date().toISOString().slice(0, 10)); d.place = imm('Villeurbanne — Gratte-Ciel'); d.team = vols.map(imm); d.doors = {};
  });
  save({ users, seq: 1, tokens: {}, contacts: {}, docs: { [outingId]: { type: 'outing', seq: 1, doc: o } } });
  for (const u of users) console.log(`${u.role}\t${u.email}\t${u.password}`);
  process.exit(0);
}

const state = load();
if (!state) { console.error('empty store: run `demo` first'); process.exit(1); }

function pip(ring, x, y) { let c = false; for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) { const [xi, yi] = ring[i], [xj, yj] = ring[j]; if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c; } return c; }
function inside(f, lon, lat) { const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates; return polys.some((p) => p.reduce((acc, r) => acc !== pip(r, lon, lat), false)); }
function geotag(doc) {
  const loc = doc.location; if (!loc) return null;
  const lat = Number(loc.lat), lon = Number(loc.lon);
  const com = territory.features.find((f) => f.properties.type === 'COM' && inside(f, lon, lat));
  if (!com) return { commune: imm(''), near_border: false, outside: true };
  const arm = territory.features.find((f) => f.properties.type === 'ARM' && f.properties.parent === com.properties.code && inside(f, lon, lat));
  const g = { commune: imm(com.properties.code), commune_name: imm(com.properties.nom), near_border: false, outside: false, computed_at: imm(new Date().toISOString()) };
  if (arm) { g.arrondissement = imm(arm.properties.code); g.arrondissement_name = imm(arm.properties.nom); }
  return g;
}

const sessions = new Map(); // access token -> user
function tokens(u) {
  const access = randomUUID(), refresh = randomUUID();
  sessions.set(access, u); state.tokens[refresh] = u.id;
  return { access_token: access, refresh_token: refresh, token_type: 'Bearer', expires_in: 900, user: { id: u.id, email: u.email, name: u.name, role: u.role, commune: u.commune } };
}
function readable(u, d) {
  const doc = d.doc;
  if (u.role === 'officer') return true;
  if (d.type === 'outing') return (doc.team ?? []).map(String).includes(u.id);
  return str(doc.author) === u.id;
}
function plain(id, d) {
  const doc = d.doc;
  return { id, author: str(doc.author), kind: str(doc.kind), text: str(doc.text), themes: (doc.themes ?? []).map(String),
    geo: doc.geo ? { commune: str(doc.geo.commune), commune_name: str(doc.geo.commune_name), arrondissement: str(doc.geo.arrondissement) ?? null, near_border: !!doc.geo.near_border, outside: !!doc.geo.outside } : null,
    review: { status: str(doc.review?.status) ?? 'new' } };
}

function sync(u, req) {
  const cursor = Number(req.cursor ?? 0);
  const documents = [];
  const ids = new Set(req.documents.map((d) => d.id));
  for (const rd of req.documents) {
    let cur = state.docs[rd.id];
    if (cur && !readable(u, cur)) { documents.push({ id: rd.id, status: 'forbidden', reason: 'not yours' }); continue; }
    if (!cur && !rd.changes) { documents.push({ id: rd.id, status: 'unknown' }); continue; }
    if (rd.changes) {
      const base = cur?.doc ?? Automerge.init();
      let next = Automerge.loadIncremental(base, Buffer.from(rd.changes, 'base64'));
      if (rd.type === 'contribution' && !cur && str(next.author) !== u.id) { documents.push({ id: rd.id, status: 'forbidden', reason: 'author must be the syncing user' }); continue; }
      if (Automerge.getHeads(next).join() !== Automerge.getHeads(base).join()) {
        if (rd.type === 'contribution') { const g = geotag(next); if (g) next = Automerge.change(next, (d) => { d.geo = g; }); }
        cur = { type: rd.type, doc: next, seq: ++state.seq };
        state.docs[rd.id] = cur;
      }
    }
    const known = rd.heads.filter((h) => Automerge.hasHeads(cur.doc, [h]));
    const lacks = Automerge.saveSince(cur.doc, known);
    const e = { id: rd.id, status: 'ok', heads: Automerge.getHeads(cur.doc) };
    if (lacks.length) e.changes = Buffer.from(lacks).toString('base64');
    documents.push(e);
  }
  const contacts = (req.contacts ?? []).map((c) => { state.contacts[c.contribution_id] = c; return { contribution_id: c.contribution_id, status: 'ok' }; });
  save(state); // durable before the reply
  const updates = [];
  for (const [id, d] of Object.entries(state.docs)) if (d.seq > cursor && !ids.has(id) && readable(u, d)) updates.push({ id, type: d.type, heads: Automerge.getHeads(d.doc), changes: Buffer.from(Automerge.save(d.doc)).toString('base64') });
  return { protocol: 1, documents, updates, contacts, cursor: String(state.seq), more: false };
}

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.png': 'image/png', '.svg': 'image/svg+xml' };

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const send = (status, body) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
  const err = (status, code) => send(status, { error: { code, message: code } });
  let body = '';
  for await (const c of req) body += c;
  const json = body ? JSON.parse(body) : undefined;
  const auth = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  const user = sessions.get(auth);
  const p = url.pathname;
  if (p === '/health') return send(200, { status: 'ok' });
  if (p === '/api/v1/auth/login') { const u = state.users.find((x) => x.email === json.email && x.password === json.password); return u ? send(200, tokens(u)) : err(401, 'invalid_credentials'); }
  if (p === '/api/v1/auth/refresh') { const id = state.tokens[json.refresh_token]; delete state.tokens[json.refresh_token]; const u = state.users.find((x) => x.id === id); return u ? send(200, tokens(u)) : err(401, 'unauthorized'); }
  if (p === '/api/v1/territory') return send(200, territory);
  if (p.startsWith('/api/')) {
    if (!user) return err(401, 'unauthorized');
    if (p === '/api/v1/sync' && req.method === 'POST') return send(200, sync(user, json));
    if (p === '/api/v1/campaigns') return send(200, [{ id: 'aller-vers-2026', name: 'Aller vers 2026', starts_on: '2026-01-01', ends_on: '2026-12-31', communes: [], themes: [] }]);
    if (p === '/api/v1/contributions') return send(200, { items: Object.entries(state.docs).filter(([, d]) => d.type === 'contribution' && readable(user, d)).map(([id, d]) => plain(id, d)) });
    const m = p.match(/^\/api\/v1\/contributions\/([^/]+)(\/review)?$/);
    if (m) {
      const d = state.docs[m[1]];
      if (!d || !readable(user, d)) return err(404, 'not_found');
      if (m[2] && req.method === 'PUT') {
        if (user.role !== 'officer') return err(403, 'forbidden');
        d.doc = Automerge.change(d.doc, (x) => { x.review = { status: imm(json.status), themes: (json.themes ?? []).map(imm), tags: (json.tags ?? []).map(imm), notes: imm(json.notes ?? '') }; });
        d.seq = ++state.seq; save(state);
      }
      return send(200, plain(m[1], d));
    }
    return err(404, 'not_found');
  }
  let file = join(PWA, p);
  if (!file.startsWith(PWA) || !existsSync(file) || statSync(file).isDirectory()) file = join(PWA, 'index.html');
  res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
  res.end(readFileSync(file));
});
server.listen(PORT, process.env.PORTE_VOIX_BIND ?? '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
