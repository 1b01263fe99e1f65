// The phone's store: IndexedDB through idb. One record per Automerge document
// (its full saved bytes, the heads the server last acknowledged, its sync
// state), the residents' contact details until the server took them, and a
// small key-value `meta` store (session, sync cursor, cached campaigns).
//
// The schema is versioned: each entry of MIGRATIONS upgrades from the version
// before it, so an app update opens any older database without losing a byte.
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';

export const DB_NAME = 'porte-voix';
export const DB_VERSION = 2;

export type SyncState = 'pending' | 'received' | 'refused';

export interface DocRecord {
  id: string;
  type: 'contribution' | 'outing';
  /** Automerge.save(doc) */
  bytes: Uint8Array;
  /** The heads the server acknowledged with status `ok` (durable there). */
  serverHeads: string[];
  sync: SyncState;
  /** Why the server refused it (`forbidden`, `invalid`, `too_large`). */
  reason?: string;
  /** The heads that were refused: not sent again until the document changes. */
  refusedHeads?: string[];
  updatedAt: string;
}

export interface ContactRecord {
  contribution_id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  /** Set when the server refused them; they stay until sent or edited. */
  error?: string;
}

export interface PorteVoixDB extends DBSchema {
  docs: { key: string; value: DocRecord; indexes: { byType: string } };
  contacts: { key: string; value: ContactRecord };
  meta: { key: string; value: unknown };
}

type UpgradeTx = IDBPTransaction<PorteVoixDB, StoreNames<PorteVoixDB>[], 'versionchange'>;
// The v1 shape is not the current DBSchema, so migrations work on the raw database.
type Migration = (db: IDBPDatabase<PorteVoixDB>, tx: UpgradeTx) => Promise<void> | void;

/** MIGRATIONS[n] upgrades a database from version n to n + 1. Never edit a shipped entry: add one. */
export const MIGRATIONS: Migration[] = [
  // 0 → 1: the first field release: documents and meta.
  (db) => {
    db.createObjectStore('docs', { keyPath: 'id' });
    db.createObjectStore('meta');
  },
  // 1 → 2: contact details kept apart, documents indexed by type, explicit sync state.
  async (db, tx) => {
    db.createObjectStore('contacts', { keyPath: 'contribution_id' });
    const docs = tx.objectStore('docs');
    docs.createIndex('byType', 'type');
    let cursor = await docs.openCursor();
    while (cursor) {
      const old = cursor.value as Partial<DocRecord> & { id: string };
      // v1 did not record whether the server had the latest edit: resending is
      // harmless (the server ignores changes it has), dropping would not be.
      await cursor.update({
        ...old,
        serverHeads: old.serverHeads ?? [],
        sync: 'pending',
        updatedAt: old.updatedAt ?? new Date(0).toISOString(),
      } as DocRecord);
      cursor = await cursor.continue();
    }
  },
];

export async function openStoreDb(name = DB_NAME, version = DB_VERSION): Promise<IDBPDatabase<PorteVoixDB>> {
  return openDB<PorteVoixDB>(name, version, {
    async upgrade(db, oldVersion, newVersion, tx) {
      for (let v = oldVersion; v < (newVersion ?? version); v++) {
        const m = MIGRATIONS[v];
        if (!m) throw new Error(`no migration from version ${v}`);
        await m(db, tx);
      }
    },
    blocking() {
      // A newer version of the app wants to upgrade: let it, then reload on it.
      globalThis.location?.reload();
    },
  });
}
