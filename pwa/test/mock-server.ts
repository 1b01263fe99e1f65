// An in-memory stand-in for the server's /api/v1/auth and /api/v1/sync, close
// enough to docs/SYNC-PROTOCOL.md to test the client's retries and acks.
import { Automerge, fromBase64, toBase64 } from '../src/documents/automerge';
import type { SyncReply, SyncRequest } from '../src/network/sync';

type Doc = Automerge.Doc<Record<string, unknown>>;

export class MockServer {
  docs = new Map<string, { type: 'contribution' | 'outing'; doc: Doc; seq: number }>();
  seq = 0;
  requests: SyncRequest[] = [];
  contacts = new Map<string, unknown>();
  forbid = new Set<string>();
  /** Next N sync calls fail before reaching the server. */
  failNetwork = 0;
  /** Next N sync calls are applied and stored, but the reply is lost. */
  loseReply = 0;
  /** Requests with more documents than this, or holding `hugeId` with others, answer 413. */
  maxDocs = Infinity;
  hugeId = '';
  /** Documents whose reply `changes` are garbled (a broken proxy, a bug). */
  corrupt = new Set<string>();
  /** Next N sync calls answer 500. */
  fail500 = 0;
  accessToken = 'a1';
  refreshToken = 'r1';
  expireAccess = false;
  refreshRefused = false;
  /** The account was disabled: every call answers 403 account_disabled. */
  disabled = false;
  refreshCalls = 0;

  fetch = async (url: string, init?: RequestInit): Promise<Response> => {
    const path = new URL(url, 'http://x').pathname;
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const json = (status: number, b: unknown) =>
      new Response(JSON.stringify(b), { status, headers: { 'Content-Type': 'application/json' } });
    const err = (status: number, code: string) => json(status, { error: { code, message: code } });
    const tokens = () => ({
      access_token: this.accessToken,
      refresh_token: this.refreshToken,
      token_type: 'Bearer',
      expires_in: 900,
      user: { id: 'u1', email: 'benevole@demo', name: 'Bénévole', role: 'volunteer', commune: null },
    });
    if (path === '/api/v1/auth/login') {
      if (body.password !== 'ok') return err(401, 'invalid_credentials');
      return json(200, tokens());
    }
    if (path === '/api/v1/auth/refresh') {
      this.refreshCalls++;
      if (this.refreshRefused || body.refresh_token !== this.refreshToken) return err(401, 'unauthorized');
      this.accessToken = 'a' + (this.refreshCalls + 1);
      this.refreshToken = 'r' + (this.refreshCalls + 1);
      this.expireAccess = false;
      return json(200, tokens());
    }
    if (path === '/api/v1/sync') {
      const auth = (init?.headers as Record<string, string>)?.Authorization;
      if (this.disabled) return err(403, 'account_disabled');
      if (this.expireAccess || auth !== `Bearer ${this.accessToken}`) return err(401, 'unauthorized');
      if (this.failNetwork > 0) {
        this.failNetwork--;
        throw new TypeError('Failed to fetch');
      }
      const req = body as SyncRequest;
      if (req.documents.length > this.maxDocs || req.documents.some((d) => d.id === this.hugeId && d.changes)) {
        return err(413, 'payload_too_large');
      }
      if (this.fail500 > 0) {
        this.fail500--;
        return err(500, 'internal');
      }
      const reply = this.sync(body as SyncRequest);
      if (this.loseReply > 0) {
        this.loseReply--;
        throw new TypeError('network connection lost');
      }
      return json(200, reply);
    }
    return err(404, 'not_found');
  };

  sync(req: SyncRequest): SyncReply {
    this.requests.push(structuredClone(req));
    const cursor = Number(req.cursor ?? 0);
    const inRequest = new Set(req.documents.map((d) => d.id));
    const documents: SyncReply['documents'] = [];
    for (const d of req.documents) {
      if (this.forbid.has(d.id)) {
        documents.push({ id: d.id, status: 'forbidden', reason: 'volunteers may not write review' });
        continue;
      }
      let cur = this.docs.get(d.id);
      if (!cur && !d.changes) {
        documents.push({ id: d.id, status: 'unknown' });
        continue;
      }
      if (d.changes) {
        const base = cur?.doc ?? Automerge.init<Record<string, unknown>>();
        const before = Automerge.getHeads(base);
        const next = Automerge.loadIncremental(base, fromBase64(d.changes));
        const changed = before.join() !== Automerge.getHeads(next).join();
        cur = { type: d.type, doc: next, seq: changed ? ++this.seq : (cur?.seq ?? ++this.seq) };
        this.docs.set(d.id, cur);
      }
      const lacks = Automerge.saveSince(cur!.doc, d.heads.filter((h) => Automerge.hasHeads(cur!.doc, [h])));
      const entry: SyncReply['documents'][number] = { id: d.id, status: 'ok', heads: Automerge.getHeads(cur!.doc) };
      if (lacks.length) entry.changes = this.corrupt.has(d.id) ? 'AAAAAAAA' : toBase64(lacks);
      documents.push(entry);
    }
    const updates: NonNullable<SyncReply['updates']> = [];
    for (const [id, v] of this.docs) {
      if (v.seq > cursor && !inRequest.has(id)) {
        updates.push({ id, type: v.type, heads: Automerge.getHeads(v.doc), changes: toBase64(Automerge.save(v.doc)) });
      }
    }
    const contacts = (req.contacts ?? []).map((c) => {
      // As the real server: contact details need the contribution stored first.
      if (!this.docs.has(c.contribution_id)) return { contribution_id: c.contribution_id, status: 'unknown', reason: 'sync the contribution first' };
      this.contacts.set(c.contribution_id, c);
      return { contribution_id: c.contribution_id, status: 'ok' };
    });
    return { protocol: 1, documents, updates, contacts, cursor: String(this.seq), more: false };
  }

  /** The officer (or a teammate) changes a document on the server side. */
  edit(id: string, fn: (d: Record<string, unknown>) => void): void {
    const cur = this.docs.get(id)!;
    cur.doc = Automerge.change(cur.doc, fn);
    cur.seq = ++this.seq;
  }

  /** Every change the server holds for a document, to check for duplicates. */
  changeCount(id: string): number {
    return Automerge.getAllChanges(this.docs.get(id)!.doc).length;
  }
}
