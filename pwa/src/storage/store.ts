// LocalStore: every read and write of the phone's documents goes through here.
// A write is one IndexedDB transaction with strict durability, so once
// « Enregistrer » resolves the contribution is on the phone's disk.
import type { IDBPDatabase } from 'idb';
import { Automerge, fromBase64, sameHeads, toBase64 } from '../documents/automerge';
import type { RawDoc } from '../documents/contribution';
import type { DocType } from '../documents/types';
import { openStoreDb, type ContactRecord, type DocRecord, type PorteVoixDB } from './db';

const STRICT = { durability: 'strict' as const };

export interface Counts {
  pending: number;
  received: number;
  refused: number;
}

export interface Backup {
  format: 'porte-voix-backup';
  version: 1;
  exported_at: string;
  user?: string;
  documents: { id: string; type: DocType; bytes: string; serverHeads: string[] }[];
  contacts: ContactRecord[];
}

export class LocalStore {
  private constructor(readonly db: IDBPDatabase<PorteVoixDB>) {}

  static async open(name?: string): Promise<LocalStore> {
    return new LocalStore(await openStoreDb(name));
  }

  close(): void {
    this.db.close();
  }

  // ── documents ──────────────────────────────────────────────────────────

  async getRecord(id: string): Promise<DocRecord | undefined> {
    return this.db.get('docs', id);
  }

  async records(type?: DocType): Promise<DocRecord[]> {
    return type ? this.db.getAllFromIndex('docs', 'byType', type) : this.db.getAll('docs');
  }

  async load(id: string): Promise<Automerge.Doc<RawDoc> | undefined> {
    const rec = await this.db.get('docs', id);
    return rec ? Automerge.load<RawDoc>(rec.bytes) : undefined;
  }

  async loadAll(type: DocType): Promise<{ record: DocRecord; doc: Automerge.Doc<RawDoc> }[]> {
    const recs = await this.records(type);
    return recs.map((record) => ({ record, doc: Automerge.load<RawDoc>(record.bytes) }));
  }

  /** Stores a document made on this phone; the server has none of it yet. */
  async create(id: string, type: DocType, doc: Automerge.Doc<RawDoc>): Promise<void> {
    const tx = this.db.transaction('docs', 'readwrite', STRICT);
    if (await tx.store.get(id)) throw new Error(`document ${id} already exists`);
    await tx.store.put({
      id,
      type,
      bytes: Automerge.save(doc),
      serverHeads: [],
      sync: 'pending',
      updatedAt: new Date().toISOString(),
    });
    await tx.done;
  }

  /**
   * Read-modify-write of one document in one transaction, so an edit and a
   * sync reply landing at the same moment both survive (Automerge merges).
   */
  async change(id: string, fn: (doc: Automerge.Doc<RawDoc>) => Automerge.Doc<RawDoc>): Promise<Automerge.Doc<RawDoc>> {
    const tx = this.db.transaction('docs', 'readwrite', STRICT);
    const rec = await tx.store.get(id);
    if (!rec) throw new Error(`no document ${id}`);
    const before = Automerge.load<RawDoc>(rec.bytes);
    const after = fn(before);
    if (!sameHeads(Automerge.getHeads(before), Automerge.getHeads(after))) {
      const next: DocRecord = { ...rec, bytes: Automerge.save(after), sync: 'pending', updatedAt: new Date().toISOString() };
      delete next.reason;
      delete next.refusedHeads;
      await tx.store.put(next);
    }
    await tx.done;
    return after;
  }

  async putRecord(rec: DocRecord): Promise<void> {
    await this.db.put('docs', rec);
  }

  async counts(type: DocType = 'contribution'): Promise<Counts> {
    const c: Counts = { pending: 0, received: 0, refused: 0 };
    for (const r of await this.records(type)) c[r.sync]++;
    return c;
  }

  /** Documents and contact details that the server has not durably acknowledged. */
  async unsentCount(): Promise<number> {
    const docs = (await this.records()).filter((r) => r.sync !== 'received').length;
    return docs + (await this.db.count('contacts'));
  }

  // ── contact details ────────────────────────────────────────────────────

  async putContact(c: ContactRecord): Promise<void> {
    await this.db.put('contacts', c);
  }

  async contacts(): Promise<ContactRecord[]> {
    return this.db.getAll('contacts');
  }

  async getContact(id: string): Promise<ContactRecord | undefined> {
    return this.db.get('contacts', id);
  }

  async deleteContact(id: string): Promise<void> {
    await this.db.delete('contacts', id);
  }

  // ── meta ───────────────────────────────────────────────────────────────

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.db.get('meta', key)) as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.db.put('meta', value, key);
  }

  async deleteMeta(key: string): Promise<void> {
    await this.db.delete('meta', key);
  }

  /** Wipes every document, contact and setting (logging out of a shared phone). */
  async clearAll(): Promise<void> {
    const tx = this.db.transaction(['docs', 'contacts', 'meta'], 'readwrite', STRICT);
    await Promise.all([tx.objectStore('docs').clear(), tx.objectStore('contacts').clear(), tx.objectStore('meta').clear()]);
    await tx.done;
  }

  // ── backup ─────────────────────────────────────────────────────────────

  async exportBackup(user?: string): Promise<Backup> {
    const recs = await this.records();
    const b: Backup = {
      format: 'porte-voix-backup',
      version: 1,
      exported_at: new Date().toISOString(),
      documents: recs.map((r) => ({ id: r.id, type: r.type, bytes: toBase64(r.bytes), serverHeads: r.serverHeads })),
      contacts: await this.contacts(),
    };
    if (user) b.user = user;
    return b;
  }

  /**
   * Restores a backup on this or another phone. A document already here is
   * merged with the backup's copy (same id, so never duplicated); a new one
   * is stored as « sur le téléphone » and sent at the next sync, which the
   * server treats as a no-op for changes it already has.
   */
  async importBackup(data: unknown): Promise<{ added: number; merged: number }> {
    const b = parseBackup(data);
    let added = 0;
    let merged = 0;
    const tx = this.db.transaction(['docs', 'contacts'], 'readwrite', STRICT);
    const docs = tx.objectStore('docs');
    for (const d of b.documents) {
      const incoming = Automerge.load<RawDoc>(fromBase64(d.bytes));
      const rec = await docs.get(d.id);
      if (!rec) {
        await docs.put({
          id: d.id,
          type: d.type,
          bytes: Automerge.save(incoming),
          serverHeads: [],
          sync: 'pending',
          updatedAt: new Date().toISOString(),
        });
        added++;
        continue;
      }
      const local = Automerge.load<RawDoc>(rec.bytes);
      const both = Automerge.merge(local, incoming);
      if (!sameHeads(Automerge.getHeads(local), Automerge.getHeads(both))) {
        const next: DocRecord = { ...rec, bytes: Automerge.save(both), sync: 'pending', updatedAt: new Date().toISOString() };
        delete next.reason;
        delete next.refusedHeads;
        await docs.put(next);
      }
      merged++;
    }
    const contacts = tx.objectStore('contacts');
    for (const c of b.contacts) if (!(await contacts.get(c.contribution_id))) await contacts.put(c);
    await tx.done;
    return { added, merged };
  }
}

export function parseBackup(data: unknown): Backup {
  const b = data as Partial<Backup> | null;
  if (!b || b.format !== 'porte-voix-backup' || b.version !== 1 || !Array.isArray(b.documents)) {
    throw new Error('not a Porte-voix backup');
  }
  for (const d of b.documents) {
    if (typeof d.id !== 'string' || (d.type !== 'contribution' && d.type !== 'outing') || typeof d.bytes !== 'string') {
      throw new Error('not a Porte-voix backup');
    }
  }
  return { ...b, contacts: Array.isArray(b.contacts) ? b.contacts : [] } as Backup;
}
