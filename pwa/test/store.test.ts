import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { Automerge } from '../src/documents/automerge';
import { createContribution, readContribution, updateContribution } from '../src/documents/contribution';
import type { ContributionInput } from '../src/documents/types';
import { DB_VERSION, MIGRATIONS } from '../src/storage/db';
import { LocalStore } from '../src/storage/store';

let n = 0;
const freshName = () => `test-${Date.now()}-${n++}`;
const input: ContributionInput = { campaign: 'c', kind: 'concern', themes: [], text: 'Bonjour', consent: { contact: false } };

describe('local store', () => {
  it('keeps a created contribution across a reopen (an app restart)', async () => {
    const name = freshName();
    const s1 = await LocalStore.open(name);
    await s1.create('c1', 'contribution', createContribution('c1', 'u1', input));
    s1.close();
    const s2 = await LocalStore.open(name);
    const doc = await s2.load('c1');
    expect(readContribution(doc!).text).toBe('Bonjour');
    expect((await s2.getRecord('c1'))!.sync).toBe('pending');
    expect(await s2.counts()).toEqual({ pending: 1, received: 0, refused: 0 });
    s2.close();
  });

  it('refuses to create the same id twice', async () => {
    const s = await LocalStore.open(freshName());
    await s.create('c1', 'contribution', createContribution('c1', 'u1', input));
    await expect(s.create('c1', 'contribution', createContribution('c1', 'u1', input))).rejects.toThrow();
    s.close();
  });

  it('an edit of a received document makes it pending again; a no-op edit does not', async () => {
    const s = await LocalStore.open(freshName());
    const doc = createContribution('c1', 'u1', input);
    await s.create('c1', 'contribution', doc);
    const rec = (await s.getRecord('c1'))!;
    await s.putRecord({ ...rec, sync: 'received', serverHeads: Automerge.getHeads(doc) });
    await s.change('c1', (d) => updateContribution(d, input));
    expect((await s.getRecord('c1'))!.sync).toBe('received');
    await s.change('c1', (d) => updateContribution(d, { ...input, text: 'Bonsoir' }));
    expect((await s.getRecord('c1'))!.sync).toBe('pending');
    s.close();
  });

  it('export then import on another phone restores everything, and a second import duplicates nothing', async () => {
    const a = await LocalStore.open(freshName());
    await a.create('c1', 'contribution', createContribution('c1', 'u1', input));
    await a.create('c2', 'contribution', createContribution('c2', 'u1', { ...input, text: 'Deux' }));
    await a.putContact({ contribution_id: 'c2', name: 'Mme X', phone: null, email: null });
    const backup = JSON.parse(JSON.stringify(await a.exportBackup('u1')));

    const b = await LocalStore.open(freshName());
    expect(await b.importBackup(backup)).toEqual({ added: 2, merged: 0 });
    expect(await b.importBackup(backup)).toEqual({ added: 0, merged: 2 });
    expect((await b.records()).map((r) => r.id).sort()).toEqual(['c1', 'c2']);
    expect(readContribution((await b.load('c2'))!).text).toBe('Deux');
    expect(await b.contacts()).toHaveLength(1);

    // An edit made on phone A after the backup merges into B's copy.
    await a.change('c1', (d) => updateContribution(d, { ...input, text: 'Bonjour, modifié' }));
    const later = JSON.parse(JSON.stringify(await a.exportBackup()));
    await b.importBackup(later);
    expect(readContribution((await b.load('c1'))!).text).toBe('Bonjour, modifié');
    expect(await b.records()).toHaveLength(2);
    await expect(b.importBackup({ format: 'other' })).rejects.toThrow();
    a.close();
    b.close();
  });

  it('migrates a version 1 database to the current version without losing documents', async () => {
    const name = freshName();
    const doc = createContribution('old', 'u1', { ...input, text: 'Saisie avec la v1' });
    // Build a v1 database exactly as the first release did.
    const v1 = await openDB(name, 1, {
      upgrade(db, _old, _new, tx) {
        void MIGRATIONS[0]!(db as never, tx as never);
      },
    });
    await v1.put('docs', { id: 'old', type: 'contribution', bytes: Automerge.save(doc), serverHeads: [] });
    await v1.put('meta', 'cursor-7', 'sync.cursor');
    v1.close();

    const s = await LocalStore.open(name);
    expect(s.db.version).toBe(DB_VERSION);
    const rec = (await s.getRecord('old'))!;
    expect(rec.sync).toBe('pending');
    expect(readContribution((await s.load('old'))!).text).toBe('Saisie avec la v1');
    expect(await s.records('contribution')).toHaveLength(1);
    expect(await s.getMeta('sync.cursor')).toBe('cursor-7');
    await s.putContact({ contribution_id: 'old', name: null, phone: '06', email: null });
    expect(await s.contacts()).toHaveLength(1);
    s.close();
  });
});
