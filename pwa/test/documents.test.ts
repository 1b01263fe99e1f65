import { describe, expect, it } from 'vitest';
import { Automerge } from '../src/documents/automerge';
import { createContribution, readContribution, reviewStatus, updateContribution } from '../src/documents/contribution';
import { addDoor, createOuting, outingCounters, readOuting, setDoorNote, setDoorStatus } from '../src/documents/outing';
import type { ContributionInput } from '../src/documents/types';

const input: ContributionInput = {
  campaign: 'aller-vers-2026',
  kind: 'concern',
  themes: ['cleanliness', 'mobility'],
  text: 'Les trottoirs sont encombrés — « vraiment » 🚲',
  location: { lat: 45.766, lon: 4.879, accuracy_m: 12.5, source: 'gps', captured_at: '2026-05-02T10:00:00.000Z' },
  respondent: { age: '30_44', relation: 'resident' },
  consent: { contact: true, at: '2026-05-02T10:00:00.000Z' },
};

describe('contribution document', () => {
  it('writes text as Text and every other string as ImmutableString', () => {
    const doc = createContribution('id-1', 'user-1', input) as Record<string, unknown>;
    expect(typeof doc.text).toBe('string');
    for (const k of ['id', 'type', 'campaign', 'created_at', 'author', 'kind']) {
      expect(doc[k], k).toBeInstanceOf(Automerge.ImmutableString);
    }
    expect(doc.schema).toBe(1);
    const themes = doc.themes as unknown[];
    expect(themes.every((t) => t instanceof Automerge.ImmutableString)).toBe(true);
    const loc = doc.location as Record<string, unknown>;
    expect(loc.source).toBeInstanceOf(Automerge.ImmutableString);
    expect((doc.respondent as Record<string, unknown>).age).toBeInstanceOf(Automerge.ImmutableString);
    expect((doc.consent as Record<string, unknown>).contact).toBe(true);
  });

  it('stores an integral latitude as a float, not an integer', () => {
    const doc = createContribution('id-1', 'u', { ...input, location: { ...input.location!, lat: 45, lon: 5 } });
    const bytes = Automerge.save(doc);
    const back = readContribution(Automerge.load(bytes));
    expect(back.location?.lat).toBe(45);
    const ops = Automerge.decodeChange(Automerge.getAllChanges(doc)[0]!).ops;
    const latOp = ops.find((o) => o.key === 'lat') as { datatype?: string } | undefined;
    expect(latOp?.datatype).toBe('float64');
  });

  it('round-trips through save/load into the plain view', () => {
    const doc = Automerge.load(Automerge.save(createContribution('id-1', 'user-1', input)));
    const v = readContribution(doc as Automerge.Doc<Record<string, unknown>>);
    expect(v).toMatchObject({ id: 'id-1', author: 'user-1', kind: 'concern', themes: ['cleanliness', 'mobility'], text: input.text });
    expect(v.location).toEqual(input.location);
    expect(v.respondent).toEqual({ age: '30_44', relation: 'resident' });
    expect(v.consent).toEqual({ contact: true, at: '2026-05-02T10:00:00.000Z' });
    expect(reviewStatus(v)).toBe('new');
  });

  it('an edit writes only the fields that changed and never author/id/type/schema', () => {
    const doc = createContribution('id-1', 'user-1', input);
    const heads = Automerge.getHeads(doc);
    const edited = updateContribution(doc, { ...input, text: 'Autre texte', kind: 'proposal' });
    const patches = Automerge.diff(edited, heads, Automerge.getHeads(edited));
    const touched = new Set(patches.map((p) => p.path[0]));
    expect([...touched].sort()).toEqual(['kind', 'text']);
    expect(readContribution(edited).text).toBe('Autre texte');
  });

  it('an unchanged edit makes no change at all', () => {
    const doc = createContribution('id-1', 'user-1', input);
    const same = updateContribution(doc, readContribution(doc));
    expect(Automerge.getHeads(same)).toEqual(Automerge.getHeads(doc));
  });

  it("merges the volunteer's edit with an officer's review made concurrently", () => {
    const phone = createContribution('id-1', 'user-1', input);
    let server = Automerge.clone(phone);
    server = Automerge.change(server, (d) => {
      d.review = { status: new Automerge.ImmutableString('qualified'), themes: [], tags: [], notes: 'ok' };
    });
    const edited = updateContribution(phone, { ...input, text: input.text + ' (complété)' });
    const merged = Automerge.merge(edited, server);
    const v = readContribution(merged);
    expect(v.text.endsWith('(complété)')).toBe(true);
    expect(reviewStatus(v)).toBe('qualified');
  });
});

describe('outing document', () => {
  const base = () => createOuting('o-1', { campaign: 'c', date: '2026-05-02', place: 'Gratte-Ciel', team: ['u1', 'u2'] });

  it('adds doors, sets their status and note', () => {
    let o = addDoor(base(), 'k1', { address: '12 rue Michel-Servet', status: 'absent', by: 'u1' });
    o = setDoorStatus(o, 'k1', 'a_revoir', 'u1');
    o = setDoorNote(o, 'k1', 'Repasser après 18 h');
    const v = readOuting(o);
    expect(v.doors).toHaveLength(1);
    expect(v.doors[0]).toMatchObject({ address: '12 rue Michel-Servet', status: 'a_revoir', note: 'Repasser après 18 h' });
    expect(typeof (o.doors as Record<string, Record<string, unknown>>).k1!.note).toBe('string');
    expect((o.doors as Record<string, Record<string, unknown>>).k1!.status).toBeInstanceOf(Automerge.ImmutableString);
  });

  it('two phones editing offline converge with both edits', () => {
    const o = addDoor(base(), 'k0', { address: '1 avenue Henri-Barbusse', status: 'visite', by: 'u1' });
    let a = Automerge.clone(o);
    let b = Automerge.clone(o);
    a = addDoor(a, 'ka', { address: '3 avenue Henri-Barbusse', status: 'visite', by: 'u1' });
    b = addDoor(b, 'kb', { address: '5 avenue Henri-Barbusse', status: 'refus', by: 'u2' });
    b = setDoorNote(b, 'k0', 'Très intéressée');
    const m1 = Automerge.merge(Automerge.clone(a), b);
    const m2 = Automerge.merge(Automerge.clone(b), a);
    expect(readOuting(m1)).toEqual(readOuting(m2));
    const v = readOuting(m1);
    expect(v.doors.map((d) => d.key).sort()).toEqual(['k0', 'ka', 'kb']);
    expect(outingCounters(v)).toEqual({ doorsKnocked: 3, conversations: 2 });
  });
});
