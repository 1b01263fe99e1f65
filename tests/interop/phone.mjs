// A JS "phone": what the PWA does with the real `@automerge/automerge`,
// without the browser. It logs in, holds Automerge documents with the heads
// the server last acknowledged (`lastServerHeads`), builds sync requests
// exactly as docs/SYNC-PROTOCOL.md says, applies the replies and keeps the
// cursor.
import * as Automerge from '@automerge/automerge';
import { randomUUID } from 'node:crypto';
import { http } from './harness.mjs';

export { Automerge };

/** A scalar string (everything but `text` and door `note`). */
export const imm = (s) => new Automerge.ImmutableString(s);

export const b64 = (bytes) => Buffer.from(bytes).toString('base64');
export const unb64 = (s) => new Uint8Array(Buffer.from(s, 'base64'));

const sameHeads = (a, b) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

export class Phone {
  constructor(baseUrl, account, name = account.email) {
    this.baseUrl = baseUrl;
    this.account = account;
    this.name = name;
    /** id → { type, doc, lastServerHeads, status, reason } */
    this.docs = new Map();
    this.cursor = null;
    this.token = null;
    this.user = null;
  }

  async login() {
    const r = await http(`${this.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      body: { email: this.account.email, password: this.account.password },
    });
    if (r.status !== 200) throw new Error(`login ${this.account.email}: ${r.status} ${JSON.stringify(r.body)}`);
    this.token = r.body.access_token;
    this.user = r.body.user;
    return this;
  }

  /** An authenticated REST call as this phone's user. */
  api(path, opts = {}) {
    return http(`${this.baseUrl}${path}`, { ...opts, token: this.token });
  }

  doc(id) {
    const d = this.docs.get(id);
    if (!d) throw new Error(`${this.name} holds no document ${id}`);
    return d.doc;
  }

  entry(id) {
    return this.docs.get(id);
  }

  /** Creates a document offline; `fill(d)` writes its fields besides id/type/schema. */
  create(type, fill, { id = randomUUID() } = {}) {
    const doc = Automerge.change(Automerge.init(), (d) => {
      d.id = imm(id);
      d.type = imm(type);
      d.schema = 1;
      fill(d);
    });
    this.docs.set(id, { type, doc, lastServerHeads: [], status: 'local' });
    return id;
  }

  /** A contribution as the PWA's form makes it: Text `text`, scalar strings elsewhere. */
  createContribution({ text, kind = 'concern', themes = [], lat, lon, declaredCommune, consent = false } = {}) {
    const now = new Date().toISOString();
    return this.create('contribution', (d) => {
      d.campaign = imm('aller-vers-2026');
      d.created_at = imm(now);
      d.author = imm(this.user.id);
      d.kind = imm(kind);
      d.themes = themes.map(imm);
      d.text = text; // a plain string is collaborative Text in automerge 3
      if (lat !== undefined) {
        d.location = { lat, lon, accuracy_m: 12.5, source: imm('gps'), captured_at: imm(now) };
      }
      if (declaredCommune) d.declared_commune = imm(declaredCommune);
      d.consent = consent ? { contact: true, at: imm(now) } : { contact: false };
    });
  }

  /** Edits a held document offline. */
  change(id, fn) {
    const e = this.docs.get(id);
    e.doc = Automerge.change(e.doc, fn);
    return e.doc;
  }

  /** Adopts a document from bytes (as if received), with no server acknowledgement. */
  adopt(id, type, bytes, lastServerHeads = []) {
    this.docs.set(id, { type, doc: Automerge.load(bytes), lastServerHeads, status: 'local' });
  }

  forget(id) {
    this.docs.delete(id);
  }

  /** The request body the phone would send now, for `ids` (default: every held document). */
  buildRequest(ids = [...this.docs.keys()]) {
    return {
      protocol: 1,
      cursor: this.cursor,
      documents: ids.map((id) => {
        const e = this.docs.get(id);
        const heads = Automerge.getHeads(e.doc);
        const out = { id, type: e.type, heads };
        if (!sameHeads(heads, e.lastServerHeads)) {
          const bytes = Automerge.saveSince(e.doc, e.lastServerHeads);
          if (bytes.length > 0) out.changes = b64(bytes);
        }
        return out;
      }),
    };
  }

  /** Posts a request body as is; returns `{ status, body }`. */
  send(request) {
    return this.api('/api/v1/sync', { method: 'POST', body: request });
  }

  /** Applies a 200 reply to the documents and the cursor. */
  apply(request, reply) {
    if (reply.protocol !== 1) throw new Error(`unexpected protocol ${reply.protocol}`);
    if (reply.documents.length !== request.documents.length) {
      throw new Error(`reply has ${reply.documents.length} results for ${request.documents.length} documents`);
    }
    reply.documents.forEach((r, i) => {
      const sent = request.documents[i];
      if (r.id !== sent.id) throw new Error(`result ${i} is for ${r.id}, not ${sent.id}`);
      const e = this.docs.get(r.id);
      if (!e) return;
      e.status = r.status;
      e.reason = r.reason;
      if (r.status !== 'ok') return;
      if (r.changes) e.doc = Automerge.loadIncremental(e.doc, unb64(r.changes));
      e.lastServerHeads = r.heads;
    });
    for (const u of reply.updates ?? []) {
      const bytes = unb64(u.changes);
      const e = this.docs.get(u.id);
      if (e) {
        e.doc = Automerge.loadIncremental(e.doc, bytes);
        e.lastServerHeads = u.heads;
      } else {
        this.docs.set(u.id, { type: u.type, doc: Automerge.load(bytes), lastServerHeads: u.heads, status: 'ok' });
      }
    }
    this.cursor = reply.cursor;
  }

  /**
   * One sync as the PWA does it: every held document (or `ids`), then again
   * at once while the reply says `more`. Returns the first request and reply.
   */
  async sync(ids) {
    let first;
    for (let round = 0; ; round++) {
      if (round > 50) throw new Error('`more` never ended');
      const request = this.buildRequest(ids);
      const res = await this.send(request);
      if (res.status !== 200) throw new Error(`sync ${this.name}: ${res.status} ${JSON.stringify(res.body)}`);
      this.apply(request, res.body);
      first ??= { request, reply: res.body };
      if (!res.body.more) return first;
      ids = []; // the documents went with the first round; only fetch the rest of `updates`
    }
  }

  /**
   * The server's current copy of a document this user may read, as an
   * Automerge document: a sync entry with empty heads and no changes makes
   * the server answer with the whole document.
   */
  async fetchServerCopy(id, type) {
    // The phone's own cursor keeps `updates` short; the reply's updates and
    // cursor are not applied: this is a read, not a sync.
    const res = await this.send({ protocol: 1, cursor: this.cursor, documents: [{ id, type, heads: [] }] });
    if (res.status !== 200) throw new Error(`fetch ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    const r = res.body.documents[0];
    if (r.status !== 'ok') throw new Error(`fetch ${id}: ${r.status} ${r.reason ?? ''}`);
    return { doc: Automerge.load(unb64(r.changes)), heads: r.heads };
  }
}
