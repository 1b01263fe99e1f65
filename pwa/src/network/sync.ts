// The sync client of docs/SYNC-PROTOCOL.md. A document leaves the
// « sur le téléphone » state only when the server answered `ok` for exactly
// the heads it now holds: `ok` means flushed to the server's disk. Until then
// every request carries `saveSince(doc, serverHeads)` again, which the server
// applies idempotently, so a lost reply or a crash on either side costs a
// retry, never a contribution, and never creates a duplicate.
import { Automerge, fromBase64, sameHeads, toBase64 } from '../documents/automerge';
import type { RawDoc } from '../documents/contribution';
import type { DocType } from '../documents/types';
import type { DocRecord } from '../storage/db';
import type { LocalStore } from '../storage/store';
import { ApiError, type Api } from './api';

export const PROTOCOL = 1;
const MAX_DOCS_PER_REQUEST = 200;
const MAX_CHANGES_BYTES_PER_REQUEST = 4 * 1024 * 1024;
const MAX_ROUNDS = 20;

export interface SyncRequestDoc {
  id: string;
  type: DocType;
  heads: string[];
  changes?: string;
}

export interface SyncRequest {
  protocol: number;
  cursor: string | null;
  documents: SyncRequestDoc[];
  contacts?: { contribution_id: string; name: string | null; phone: string | null; email: string | null }[];
}

export type DocStatus = 'ok' | 'forbidden' | 'invalid' | 'too_large' | 'unknown';

export interface SyncReply {
  protocol: number;
  documents: { id: string; status: DocStatus; heads?: string[]; changes?: string; reason?: string }[];
  updates?: { id: string; type: DocType; heads: string[]; changes: string }[];
  contacts?: { contribution_id: string; status: string; reason?: string }[];
  cursor: string | null;
  more?: boolean;
}

export interface SyncResult {
  sent: number;
  ok: number;
  refused: number;
  updates: number;
  contactsSent: number;
}

export interface SyncProgress {
  sent: number;
}

const CURSOR_KEY = 'sync.cursor';
export const LAST_SYNC_KEY = 'sync.last';

interface Outgoing {
  entry: SyncRequestDoc;
  size: number;
}

function outgoing(rec: DocRecord, forceWhole: boolean): Outgoing | undefined {
  const doc = Automerge.load<RawDoc>(rec.bytes);
  const heads = Automerge.getHeads(doc);
  if (rec.sync === 'refused' && rec.refusedHeads && sameHeads(rec.refusedHeads, heads)) return undefined;
  const entry: SyncRequestDoc = { id: rec.id, type: rec.type, heads };
  let size = 0;
  if (forceWhole || !sameHeads(heads, rec.serverHeads)) {
    const bytes = Automerge.saveSince(doc, forceWhole ? [] : rec.serverHeads);
    entry.changes = toBase64(bytes);
    size = bytes.length;
  }
  return { entry, size };
}

export class SyncClient {
  constructor(
    private readonly store: LocalStore,
    private readonly api: Api,
  ) {}

  /** One full sync: every batch, then as many rounds as the server says `more`. */
  async sync(onProgress?: (p: SyncProgress) => void): Promise<SyncResult> {
    const total: SyncResult = { sent: 0, ok: 0, refused: 0, updates: 0, contactsSent: 0 };
    let resendWhole = new Set<string>();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const recs = await this.store.records();
      const out: Outgoing[] = [];
      for (const r of recs) {
        const o = outgoing(r, resendWhole.has(r.id));
        if (o) out.push(o);
      }
      const batches = this.batches(out);
      const inBatches = new Set(out.map((o) => o.entry.id));
      const contacts = (await this.store.contacts()).filter((c) => !c.error);
      let more = false;
      const nextWhole = new Set<string>();
      for (let i = 0; i < batches.length; i++) {
        const batch = batches[i]!;
        const ids = new Set(batch.map((o) => o.entry.id));
        const isLast = i === batches.length - 1;
        // Contact details travel with their contribution (or in the last batch).
        const cs = contacts.filter((c) => ids.has(c.contribution_id) || (isLast && !inBatches.has(c.contribution_id)));
        const req: SyncRequest = {
          protocol: PROTOCOL,
          cursor: (await this.store.getMeta<string>(CURSOR_KEY)) ?? null,
          documents: batch.map((o) => o.entry),
        };
        if (cs.length) {
          req.contacts = cs.map((c) => ({ contribution_id: c.contribution_id, name: c.name, phone: c.phone, email: c.email }));
        }
        let reply: SyncReply;
        try {
          reply = await this.post(req);
        } catch (e) {
          // 413 for the whole request: split the batch; a single document
          // that is still too large is refused alone, the others go on.
          if (!(e instanceof ApiError && e.status === 413) || batch.length === 0) throw e;
          if (batch.length === 1) {
            await this.refuse(batch[0]!.entry, 'payload_too_large');
            total.refused++;
          } else {
            const half = Math.ceil(batch.length / 2);
            batches.splice(i + 1, 0, batch.slice(0, half), batch.slice(half));
          }
          continue;
        }
        const r = await this.apply(req, reply);
        for (const id of r.unknown) nextWhole.add(id);
        total.sent += req.documents.filter((d) => d.changes).length;
        total.ok += r.ok;
        total.refused += r.refused;
        total.updates += r.updates;
        total.contactsSent += r.contactsSent;
        more ||= reply.more === true;
        onProgress?.({ sent: total.sent });
      }
      await this.store.setMeta(LAST_SYNC_KEY, new Date().toISOString());
      if (!more && nextWhole.size === 0) return total;
      resendWhole = nextWhole;
    }
    return total;
  }

  private async refuse(entry: SyncRequestDoc, reason: string): Promise<void> {
    const tx = this.store.db.transaction('docs', 'readwrite', { durability: 'strict' });
    const rec = await tx.store.get(entry.id);
    if (rec) await tx.store.put({ ...rec, sync: 'refused', reason, refusedHeads: entry.heads });
    await tx.done;
  }

  private batches(out: Outgoing[]): Outgoing[][] {
    const batches: Outgoing[][] = [];
    let cur: Outgoing[] = [];
    let size = 0;
    for (const o of out) {
      if (cur.length && (cur.length >= MAX_DOCS_PER_REQUEST || size + o.size > MAX_CHANGES_BYTES_PER_REQUEST)) {
        batches.push(cur);
        cur = [];
        size = 0;
      }
      cur.push(o);
      size += o.size;
    }
    batches.push(cur); // possibly empty: still asks for updates
    return batches;
  }

  private async post(req: SyncRequest): Promise<SyncReply> {
    const res = await this.api.authed('/api/v1/sync', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(req),
    });
    if (!res.ok) {
      let code = 'http_' + res.status;
      let message = res.statusText;
      try {
        const b = (await res.json()) as { error?: { code?: string; message?: string } };
        code = b.error?.code ?? code;
        message = b.error?.message ?? message;
      } catch {
        // keep the HTTP status
      }
      throw new ApiError(res.status, code, message);
    }
    const reply = (await res.json()) as SyncReply;
    if (!reply || !Array.isArray(reply.documents)) throw new ApiError(502, 'bad_reply', 'malformed sync reply');
    return reply;
  }

  /** Applies a reply in one IndexedDB transaction: all of it is recorded, or none. */
  private async apply(
    req: SyncRequest,
    reply: SyncReply,
  ): Promise<{ ok: number; refused: number; updates: number; contactsSent: number; unknown: string[] }> {
    const sent = new Map(req.documents.map((d) => [d.id, d]));
    const tx = this.store.db.transaction(['docs', 'contacts', 'meta'], 'readwrite', { durability: 'strict' });
    const docs = tx.objectStore('docs');
    const now = new Date().toISOString();
    let ok = 0;
    let refused = 0;
    let updates = 0;
    let contactsSent = 0;
    const unknown: string[] = [];

    for (const d of reply.documents) {
      const rec = await docs.get(d.id);
      const req1 = sent.get(d.id);
      if (!rec || !req1) continue;
      if (d.status === 'ok') {
        let doc = Automerge.load<RawDoc>(rec.bytes);
        try {
          if (d.changes) doc = Automerge.loadIncremental(doc, fromBase64(d.changes));
        } catch {
          // Unreadable changes for this document: leave it « sur le téléphone »
          // (the next sync asks again); the rest of the reply still counts.
          continue;
        }
        const serverHeads = d.heads ?? req1.heads;
        const next: DocRecord = {
          ...rec,
          bytes: Automerge.save(doc),
          serverHeads,
          // Still « sur le téléphone » if it was edited while the request flew.
          sync: sameHeads(Automerge.getHeads(doc), serverHeads) ? 'received' : 'pending',
          updatedAt: now,
        };
        delete next.reason;
        delete next.refusedHeads;
        await docs.put(next);
        ok++;
      } else if (d.status === 'unknown') {
        await docs.put({ ...rec, serverHeads: [], sync: 'pending' });
        unknown.push(d.id);
      } else {
        await docs.put({ ...rec, sync: 'refused', reason: d.reason ?? d.status, refusedHeads: req1.heads });
        refused++;
      }
    }

    for (const u of reply.updates ?? []) {
      const rec = await docs.get(u.id);
      let bytes: Uint8Array;
      let doc: Automerge.Doc<RawDoc>;
      try {
        bytes = fromBase64(u.changes);
        doc = rec ? Automerge.loadIncremental(Automerge.load<RawDoc>(rec.bytes), bytes) : Automerge.load<RawDoc>(bytes);
      } catch {
        continue; // unreadable: skipped; the server sends the document again when it next changes
      }
      if (rec) {
        const inSync = sameHeads(Automerge.getHeads(doc), u.heads);
        await docs.put({
          ...rec,
          bytes: Automerge.save(doc),
          serverHeads: u.heads,
          sync: inSync ? 'received' : rec.sync === 'refused' ? 'refused' : 'pending',
          updatedAt: now,
        });
      } else {
        await docs.put({ id: u.id, type: u.type, bytes: Automerge.save(doc), serverHeads: u.heads, sync: 'received', updatedAt: now });
      }
      updates++;
    }

    const contacts = tx.objectStore('contacts');
    for (const c of reply.contacts ?? []) {
      if (c.status === 'ok') {
        await contacts.delete(c.contribution_id); // the server has them: the phone forgets them
        contactsSent++;
      } else if (c.status !== 'unknown') {
        // `unknown`: the server has not stored the contribution yet (it was
        // refused or not sent in this batch): keep the contact for the next
        // sync. Other refusals are final until the volunteer fixes them.
        const rec = await contacts.get(c.contribution_id);
        if (rec) await contacts.put({ ...rec, error: c.reason ?? c.status });
      }
    }

    if (reply.cursor !== undefined && reply.cursor !== null) await tx.objectStore('meta').put(reply.cursor, CURSOR_KEY);
    await tx.done;
    return { ok, refused, updates, contactsSent, unknown };
  }
}
