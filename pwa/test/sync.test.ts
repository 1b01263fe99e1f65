import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Automerge, imm } from '../src/documents/automerge';
import { createContribution, readContribution, reviewStatus, updateContribution } from '../src/documents/contribution';
import { addDoor, createOuting, readOuting } from '../src/documents/outing';
import type { ContributionInput } from '../src/documents/types';
import { Api, SessionExpiredError } from '../src/network/api';
import { SyncScheduler } from '../src/network/scheduler';
import { SyncClient } from '../src/network/sync';
import { LocalStore } from '../src/storage/store';
import { MockServer } from './mock-server';

let n = 0;
const input: ContributionInput = { campaign: 'c', kind: 'concern', themes: ['water'], text: 'Fuite rue Paul-Bert', consent: { contact: false } };

async function phone(server: MockServer) {
  const store = await LocalStore.open(`sync-${Date.now()}-${n++}`);
  const api = new Api(store, '', server.fetch);
  await api.login('benevole@demo', 'ok');
  return { store, api, client: new SyncClient(store, api) };
}

describe('sync client', () => {
  let server: MockServer;
  beforeEach(() => {
    server = new MockServer();
  });

  it('sends new contributions and marks them « reçue » only on `ok`', async () => {
    const { store, client } = await phone(server);
    await store.create('c1', 'contribution', createContribution('c1', 'u1', input));
    await store.create('c2', 'contribution', createContribution('c2', 'u1', input));
    const r = await client.sync();
    expect(r.ok).toBe(2);
    expect(await store.counts()).toEqual({ pending: 0, received: 2, refused: 0 });
    expect(readContribution(server.docs.get('c1')!.doc).text).toBe('Fuite rue Paul-Bert');
    // A second sync sends no changes again.
    await client.sync();
    expect(server.requests.at(-1)!.documents.every((d) => d.changes === undefined)).toBe(true);
  });

  it('a network failure leaves everything on the phone and the retry sends it', async () => {
    const { store, client } = await phone(server);
    await store.create('c1', 'contribution', createContribution('c1', 'u1', input));
    server.failNetwork = 1;
    await expect(client.sync()).rejects.toThrow();
    expect((await store.getRecord('c1'))!.sync).toBe('pending');
    await client.sync();
    expect((await store.getRecord('c1'))!.sync).toBe('received');
  });

  it('a lost reply (stored on the server, reply never came) is resent without duplicates', async () => {
    const { store, client } = await phone(server);
    await store.create('c1', 'contribution', createContribution('c1', 'u1', input));
    server.loseReply = 1;
    await expect(client.sync()).rejects.toThrow();
    expect((await store.getRecord('c1'))!.sync).toBe('pending');
    const before = server.changeCount('c1');
    await client.sync();
    expect(server.changeCount('c1')).toBe(before);
    expect(server.requests[0]!.documents[0]!.changes).toBe(server.requests[1]!.documents[0]!.changes);
    expect((await store.getRecord('c1'))!.sync).toBe('received');
  });

  it('partial failure: a forbidden document is « refusée » with its reason, the others are received', async () => {
    const { store, client } = await phone(server);
    await store.create('ok1', 'contribution', createContribution('ok1', 'u1', input));
    await store.create('bad', 'contribution', createContribution('bad', 'u1', input));
    server.forbid.add('bad');
    const r = await client.sync();
    expect(r).toMatchObject({ ok: 1, refused: 1 });
    const bad = (await store.getRecord('bad'))!;
    expect(bad.sync).toBe('refused');
    expect(bad.reason).toBe('volunteers may not write review');
    expect((await store.getRecord('ok1'))!.sync).toBe('received');
    // The refused document is kept on the phone, not resent unchanged...
    await client.sync();
    expect(server.requests.at(-1)!.documents.map((d) => d.id)).toEqual(['ok1']);
    // ...but is sent again once the volunteer edits it.
    server.forbid.clear();
    await store.change('bad', (d) => updateContribution(d, { ...input, text: 'Corrigé' }));
    await client.sync();
    expect((await store.getRecord('bad'))!.sync).toBe('received');
  });

  it('an edit made while the request is in flight stays « sur le téléphone »', async () => {
    const { store, client } = await phone(server);
    await store.create('c1', 'contribution', createContribution('c1', 'u1', input));
    const real = server.fetch;
    server.fetch = async (url, init) => {
      if (url.endsWith('/sync')) await store.change('c1', (d) => updateContribution(d, { ...input, text: 'Modifié pendant' }));
      return real(url, init);
    };
    const api = new Api(store, '', (u, i) => server.fetch(u, i));
    await new SyncClient(store, api).sync();
    expect((await store.getRecord('c1'))!.sync).toBe('pending');
    server.fetch = real;
    await client.sync();
    expect((await store.getRecord('c1'))!.sync).toBe('received');
    expect(readContribution(server.docs.get('c1')!.doc).text).toBe('Modifié pendant');
  });

  it("brings back the officer's review and merges it with the volunteer's edit", async () => {
    const { store, client } = await phone(server);
    await store.create('c1', 'contribution', createContribution('c1', 'u1', input));
    await client.sync();
    server.edit('c1', (d) => {
      d.review = { status: imm('qualified'), themes: [], tags: [], notes: imm('') };
    });
    await store.change('c1', (d) => updateContribution(d, { ...input, text: 'Fuite rue Paul-Bert, depuis mai' }));
    await client.sync();
    const v = readContribution((await store.load('c1'))!);
    expect(reviewStatus(v)).toBe('qualified');
    expect(v.text).toBe('Fuite rue Paul-Bert, depuis mai');
    expect((await store.getRecord('c1'))!.sync).toBe('received');
    expect(readContribution(server.docs.get('c1')!.doc).text).toBe('Fuite rue Paul-Bert, depuis mai');
  });

  it('receives an outing shared by the team through `updates`, and two phones converge', async () => {
    const outing = addDoor(createOuting('o1', { campaign: 'c', date: '2026-05-02', place: 'Bron', team: ['u1', 'u2'] }), 'k0', {
      address: '1 rue A',
      status: 'visite',
      by: 'u0',
    });
    server.docs.set('o1', { type: 'outing', doc: outing, seq: ++server.seq });
    const p1 = await phone(server);
    const p2 = await phone(server);
    await p1.client.sync();
    await p2.client.sync();
    await p1.store.change('o1', (d) => addDoor(d, 'k1', { address: '2 rue A', status: 'absent', by: 'u1' }));
    await p2.store.change('o1', (d) => addDoor(d, 'k2', { address: '3 rue A', status: 'refus', by: 'u2' }));
    await p1.client.sync();
    await p2.client.sync();
    await p1.client.sync();
    const keys = (d: Automerge.Doc<Record<string, unknown>>) => readOuting(d).doors.map((x) => x.key).sort();
    expect(keys(server.docs.get('o1')!.doc)).toEqual(['k0', 'k1', 'k2']);
    expect(keys((await p1.store.load('o1'))!)).toEqual(['k0', 'k1', 'k2']);
    expect(keys((await p2.store.load('o1'))!)).toEqual(['k0', 'k1', 'k2']);
    expect((await p1.store.getRecord('o1'))!.sync).toBe('received');
  });

  it('a 413 splits the batch; a document too large alone is refused and the others are received', async () => {
    const { store, client } = await phone(server);
    for (const id of ['a', 'b', 'c', 'd', 'e']) await store.create(id, 'contribution', createContribution(id, 'u1', input));
    server.maxDocs = 2;
    server.hugeId = 'c';
    const r = await client.sync();
    expect(r.refused).toBe(1);
    const recs = await store.records();
    expect(recs.filter((x) => x.sync === 'received').map((x) => x.id).sort()).toEqual(['a', 'b', 'd', 'e']);
    expect((await store.getRecord('c'))!.sync).toBe('refused');
    expect((await store.getRecord('c'))!.reason).toBe('payload_too_large');
  });

  it('two tabs refreshing at once: the second uses the session the first refreshed', async () => {
    const { store, api } = await phone(server);
    const before = (await api.session())!.access_token;
    const other = new Api(store, '', server.fetch); // a second tab, same IndexedDB
    await api.refresh(before);
    const s = await other.refresh(before);
    expect(server.refreshCalls).toBe(1);
    expect(s.needs_login).toBeUndefined();
    expect(s.access_token).not.toBe(before);
  });

  it('unreadable changes for one document leave it pending and do not block the others', async () => {
    const { store, client } = await phone(server);
    await store.create('a', 'contribution', createContribution('a', 'u1', input));
    await store.create('b', 'contribution', createContribution('b', 'u1', input));
    await client.sync();
    for (const id of ['a', 'b']) {
      server.edit(id, (d) => {
        d.review = { status: imm('qualified'), themes: [], tags: [], notes: imm('') };
      });
    }
    server.corrupt.add('b');
    await client.sync();
    expect((await store.getRecord('a'))!.sync).toBe('received');
    expect(reviewStatus(readContribution((await store.load('a'))!))).toBe('qualified');
    expect(reviewStatus(readContribution((await store.load('b'))!))).toBe('new');
    server.corrupt.clear();
    await client.sync();
    expect(reviewStatus(readContribution((await store.load('b'))!))).toBe('qualified');
    expect((await store.getRecord('b'))!.sync).toBe('received');
  });

  it('sends the whole document when the server answers `unknown`', async () => {
    const { store, client } = await phone(server);
    const doc = createContribution('c1', 'u1', input);
    await store.create('c1', 'contribution', doc);
    // The phone believes the server has it (e.g. restored from a backup of a wiped server).
    await store.putRecord({ ...(await store.getRecord('c1'))!, serverHeads: Automerge.getHeads(doc), sync: 'received' });
    await client.sync();
    expect(server.requests.map((r) => r.documents[0]!.changes !== undefined)).toEqual([false, true]);
    expect(server.docs.has('c1')).toBe(true);
  });

  it('contact details go with the sync and are deleted from the phone only once the server took them', async () => {
    const { store, client } = await phone(server);
    await store.create('c1', 'contribution', createContribution('c1', 'u1', { ...input, consent: { contact: true, at: 'x' } }));
    await store.putContact({ contribution_id: 'c1', name: 'Mme Exemple', phone: '06 00 00 00 00', email: null });
    server.failNetwork = 1;
    await expect(client.sync()).rejects.toThrow();
    expect(await store.contacts()).toHaveLength(1);
    await client.sync();
    expect(await store.contacts()).toHaveLength(0);
    expect(server.contacts.get('c1')).toMatchObject({ name: 'Mme Exemple' });
  });

  it('contact details of a contribution the server has not stored yet stay on the phone for the next sync', async () => {
    const { store, client } = await phone(server);
    await store.create('c1', 'contribution', createContribution('c1', 'u1', { ...input, consent: { contact: true, at: 'x' } }));
    await store.putContact({ contribution_id: 'c1', name: 'Mme Exemple', phone: '06 00 00 00 00', email: null });
    server.forbid.add('c1');
    await client.sync();
    const kept = await store.contacts();
    expect(kept).toHaveLength(1);
    expect(kept[0]!.error).toBeUndefined();
    expect(server.contacts.has('c1')).toBe(false);
  });

  it('refreshes an expired access token and retries; a refused refresh asks to log in again', async () => {
    const { store, client, api } = await phone(server);
    await store.create('c1', 'contribution', createContribution('c1', 'u1', input));
    server.expireAccess = true;
    await client.sync();
    expect(server.refreshCalls).toBe(1);
    expect((await store.getRecord('c1'))!.sync).toBe('received');
    server.expireAccess = true;
    server.refreshRefused = true;
    await expect(client.sync()).rejects.toBeInstanceOf(SessionExpiredError);
    expect((await api.session())!.needs_login).toBe(true);
  });
});

describe('sync scheduler', () => {
  // Timers are handed to the scheduler, so the test fires them by hand
  // (fake-indexeddb needs the real event loop).
  function timers() {
    const pending: { fn: () => void; ms: number }[] = [];
    return {
      pending,
      setTimer: (fn: () => void, ms: number) => {
        const t = { fn, ms };
        pending.push(t);
        return t;
      },
      clearTimer: (t: unknown) => {
        const i = pending.indexOf(t as { fn: () => void; ms: number });
        if (i >= 0) pending.splice(i, 1);
      },
    };
  }

  it('retries with exponential backoff until the server answers', async () => {
    const server = new MockServer();
    const { store, client } = await phone(server);
    await store.create('c1', 'contribution', createContribution('c1', 'u1', input));
    server.fail500 = 2;
    const t = timers();
    const s = new SyncScheduler(client, { baseDelayMs: 1000, isOnline: () => true, setTimer: t.setTimer, clearTimer: t.clearTimer });
    await s.request();
    expect(s.status.phase).toBe('error');
    expect(t.pending).toHaveLength(1);
    const first = t.pending[0]!.ms;
    expect(first).toBeGreaterThanOrEqual(750);
    t.pending.shift()!.fn();
    await vi.waitFor(() => expect(t.pending).toHaveLength(1));
    expect(s.status.phase).toBe('error');
    const second = t.pending[0]!.ms;
    expect(second).toBeGreaterThanOrEqual(1500); // 2 s ± 25 %
    t.pending.shift()!.fn();
    await vi.waitFor(() => expect(s.status.phase).toBe('idle'));
    expect(t.pending).toHaveLength(0);
    expect((await store.getRecord('c1'))!.sync).toBe('received');
    expect(server.requests.length).toBe(1);
  });

  it('a request during a sync runs one more sync after it', async () => {
    const server = new MockServer();
    const { store, client } = await phone(server);
    const s = new SyncScheduler(client, { isOnline: () => true });
    const first = s.request();
    await store.create('c1', 'contribution', createContribution('c1', 'u1', input));
    const second = s.request();
    await Promise.all([first, second]);
    expect((await store.getRecord('c1'))!.sync).toBe('received');
  });

  it('offline: says so and does not call the server', async () => {
    const server = new MockServer();
    const { client } = await phone(server);
    const s = new SyncScheduler(client, { isOnline: () => false });
    await s.request();
    expect(s.status.phase).toBe('offline');
    expect(server.requests).toHaveLength(0);
  });

  it('a disabled account stops the retries, says so, and keeps every unsent document', async () => {
    const server = new MockServer();
    const { store, client } = await phone(server);
    await store.create('c1', 'contribution', createContribution('c1', 'u1', input));
    server.disabled = true;
    const t = timers();
    const s = new SyncScheduler(client, { isOnline: () => true, setTimer: t.setTimer, clearTimer: t.clearTimer });
    await s.request();
    expect(s.status.phase).toBe('disabled');
    expect(t.pending).toHaveLength(0);
    const kept = await store.getRecord('c1');
    expect(kept).toBeDefined();
    expect(kept!.sync).not.toBe('received');
  });

  it('a session that cannot be refreshed stops the retries and asks to log in', async () => {
    const server = new MockServer();
    const { client } = await phone(server);
    server.expireAccess = true;
    server.refreshRefused = true;
    const t = timers();
    const s = new SyncScheduler(client, { isOnline: () => true, setTimer: t.setTimer, clearTimer: t.clearTimer });
    await s.request();
    expect(s.status.phase).toBe('need_login');
    expect(t.pending).toHaveLength(0);
  });
});
