// The console's state and formatting: the list filter and its URL, the
// bulk filter, the workflow offered, labels and history in words, masked
// statistics, the map legend, the inbox keys, the topic board, follow-up
// order, the answer page's dossier.
import { describe, expect, it } from 'vitest';
import { EMPTY_FILTER, type Forward, type ListFilter, filterQuery, filterToBulk, filterToSearch, items, pageCount, searchToFilter, type Topic } from '../src/console/api';
import { countRows, isoWeek, readCounts } from '../src/console/counts';
import { allowedNext, cell, errorMessage, excerpt, historyLine, legendSteps, placeLabel, shade, statusOf, themesOf, topicEventLine } from '../src/console/format';
import { answerToken, readDossier } from '../src/console/screens/answer';
import { overdueDays, waitingOrder } from '../src/console/screens/followup';
import { inboxKey, KEY_THEMES, readSuggestions } from '../src/console/screens/inbox';
import { csvOf } from '../src/console/screens/stats';
import { board, figures } from '../src/console/screens/topics';
import { ApiError, NetworkError } from '../src/network/api';
import type { Contribution } from '../src/console/api';

const f = (patch: Partial<ListFilter>): ListFilter => ({ ...EMPTY_FILTER, communes: [], themes: [], kinds: [], statuses: [], ...patch });

const contribution = (patch: Partial<Contribution>): Contribution => ({
  id: 'c1',
  campaign: 'aller-vers-2026',
  created_at: '2026-11-30T10:00:00Z',
  author: 'u1',
  kind: 'concern',
  themes: ['safety'],
  text: 'On ne se sent pas en sécurité le soir',
  comments: [],
  follow_up: [],
  ...patch,
});

describe('list filter and URL', () => {
  it('leaves the defaults out and joins several values with commas', () => {
    expect(filterQuery(f({})).toString()).toBe('per_page=50');
    const q = filterQuery(f({ q: ' securite ', statuses: ['new', 'qualified'], communes: ['69266'], near_border: true, sort: 'oldest', page: 3 }));
    expect(q.get('q')).toBe('securite');
    expect(q.get('status')).toBe('new,qualified');
    expect(q.get('commune')).toBe('69266');
    expect(q.get('near_border')).toBe('true');
    expect(q.get('sort')).toBe('oldest');
    expect(q.get('page')).toBe('3');
    expect(filterQuery(f({ page: 3 }), false).has('page')).toBe(false);
  });

  it('reads back what it writes', () => {
    const x = f({ q: 'éclairage', themes: ['safety', 'mobility'], kinds: ['proposal'], in_topic: 'false', from: '2026-11-01', sort: 'relevance', page: 2, per_page: 100 });
    expect(searchToFilter(filterToSearch(x))).toEqual(x);
    expect(filterToSearch(f({}))).toBe('');
  });

  it('falls back to the defaults on values it does not know', () => {
    const x = searchToFilter('?sort=sideways&page=-2&per_page=7&in_topic=maybe');
    expect(x.sort).toBe('newest');
    expect(x.page).toBe(1);
    expect(x.per_page).toBe(50);
    expect(x.in_topic).toBe('');
  });

  it('gives the bulk endpoint the filter as JSON lists', () => {
    expect(filterToBulk(f({ statuses: ['new'], in_topic: 'false', from: '2026-11-01' }))).toEqual({
      statuses: ['new'],
      topic: 'none',
      from: '2026-11-01T00:00:00Z',
    });
    expect(filterToBulk(f({ topic: 't1', in_topic: 'true' })).topic).toBe('t1');
  });

  it('counts pages, at least one', () => {
    expect(pageCount(0, 50)).toBe(1);
    expect(pageCount(50, 50)).toBe(1);
    expect(pageCount(51, 50)).toBe(2);
  });

  it('accepts a bare array or {items}', () => {
    expect(items([1, 2])).toEqual([1, 2]);
    expect(items({ items: [3] })).toEqual([3]);
    expect(items(null)).toEqual([]);
  });
});

describe('formatting', () => {
  it('offers the workflow steps of shared/src/workflow.rs', () => {
    expect(allowedNext('new')).toEqual(['qualified', 'duplicate', 'off_topic']);
    expect(allowedNext('answered')).toEqual(['closed', 'forwarded']);
    expect(allowedNext('off_topic')).toEqual(['qualified']);
    expect(allowedNext('nonsense')).toEqual([]);
  });

  it('reads status and themes, the officer’s themes first', () => {
    expect(statusOf(contribution({}))).toBe('new');
    expect(themesOf(contribution({ review: { status: 'qualified', themes: ['mobility'] } }))).toEqual(['mobility']);
    expect(themesOf(contribution({ review: { status: 'qualified', themes: [] } }))).toEqual(['safety']);
  });

  it('names the place: arrondissement, commune, outside, unknown', () => {
    expect(placeLabel(contribution({ geo: { commune: '69123', arrondissement: '69383', arrondissement_name: 'Lyon 3e Arrondissement', near_border: false, outside: false } }))).toBe('Lyon 3e Arrondissement');
    expect(placeLabel(contribution({ geo: { commune: '69266', near_border: false, outside: false } }), new Map([['69266', 'Villeurbanne']]))).toBe('Villeurbanne');
    expect(placeLabel(contribution({ geo: { near_border: false, outside: true } }))).toBe('Hors du territoire');
    expect(placeLabel(contribution({ geo: null }))).toBe('Commune inconnue');
  });

  it('cuts excerpts on a word', () => {
    expect(excerpt('court')).toBe('court');
    const e = excerpt('Les poubelles débordent tous les week-ends devant la place du marché', 40);
    expect(e.endsWith('…')).toBe(true);
    expect(e.length).toBeLessThanOrEqual(41);
    expect(e).not.toMatch(/\s…$/);
  });

  it('tells the history in words', () => {
    expect(historyLine({ hash: 'h', user_id: 'u1', user_name: 'Karim Haddad', role: 'volunteer', at: '2026-11-30T10:00:00Z' })).toMatch(/modification par Karim Haddad \(bénévole\)$/);
    expect(historyLine({ hash: 'h', user_id: '@server', at: '2026-11-30T10:00:00Z' })).toMatch(/commune calculée par le serveur/);
    expect(historyLine({ hash: 'h', user_id: 'u1', role: 'officer', at: null })).toMatch(/^date inconnue : modification par u1/);
    expect(topicEventLine({ at: '2026-11-30T10:00:00Z', by: 'u9', action: 'attached', detail: { ids: ['a', 'b'] } }, new Map([['u9', 'Nadia Roux']]))).toMatch(/contributions rattachées \(2\) \(Nadia Roux\)$/);
    expect(topicEventLine({ at: '2026-11-30T10:00:00Z', by: '@recipient:r1', action: 'answered' })).toMatch(/réponse reçue \(destinataire, par le lien\)$/);
  });

  it('shows masked cells as « < 5 »', () => {
    expect(cell(12)).toBe('12');
    expect(cell(1234)).toBe('1\u202f234');
    expect(cell(null)).toBe('< 5');
    expect(cell('<5')).toBe('< 5');
    expect(cell({ masked: true })).toBe('< 5');
  });

  it('gives each count one legend step, contiguous from 1 to the maximum', () => {
    for (const max of [1, 2, 3, 7, 14, 100, 99_999]) {
      const steps = legendSteps(max);
      expect(steps[0]![0]).toBe(1);
      expect(steps.at(-1)![1]).toBe(max);
      for (let i = 1; i < steps.length; i++) expect(steps[i]![0]).toBe(steps[i - 1]![1] + 1);
      for (const [s, [lo, hi]] of steps.entries()) {
        expect(shade(lo, max)).toBe(shade(hi, max));
        if (s > 0) expect(shade(lo, max)).toBeGreaterThan(shade(steps[s - 1]![1], max));
      }
    }
    expect(shade(0, 10)).toBe(0);
    expect(shade(10, 10)).toBe(4);
    expect(legendSteps(0)).toEqual([]);
  });

  it('says what a failure means', () => {
    expect(errorMessage(new NetworkError('x'))).toMatch(/^Hors ligne/);
    expect(errorMessage(new ApiError(409, 'conflict', 'no'))).toMatch(/pas permis/);
    expect(errorMessage(new ApiError(500, 'internal', 'no'), 'fallback')).toBe('fallback');
  });
});

describe('statistics', () => {
  it('reads counts from a map, a list, or a wrapped list, with masked cells', () => {
    expect(readCounts({ safety: 3, mobility: 5 })).toEqual([
      ['safety', 3],
      ['mobility', 5],
    ]);
    expect(readCounts({ by: 'age', rows: [{ key: '18_29', count: 7 }, { key: '75_plus', count: null, masked: true }] })).toEqual([
      ['18_29', 7],
      ['75_plus', null],
    ]);
    expect(readCounts([{ week: '2026-W48', n: 2 }])).toEqual([['2026-W48', 2]]);
    // GET /api/v1/stats/*: {by, total, cells: [{key, count, masked}]}
    expect(readCounts({ by: 'gender', total: null, cells: [{ key: 'woman', count: 12, masked: false }, { key: 'other', count: null, masked: true }] })).toEqual([
      ['woman', 12],
      ['other', null],
    ]);
    expect(readCounts(null)).toEqual([]);
  });

  it('numbers ISO weeks', () => {
    expect(isoWeek('2026-11-30T10:00:00Z')).toBe('2026-W49');
    expect(isoWeek('2026-01-01T10:00:00Z')).toBe('2026-W01');
    expect(isoWeek('2027-01-01T10:00:00Z')).toBe('2026-W53');
  });

  it('counts rows by dimension (a contribution with two themes counts under each)', () => {
    const rows = [contribution({ themes: ['safety', 'mobility'] }), contribution({ id: 'c2', themes: ['safety'], geo: { commune: '69266', near_border: false, outside: false } })];
    expect(new Map(countRows(rows, 'theme'))).toEqual(new Map([['safety', 2], ['mobility', 1]]));
    expect(countRows(rows, 'commune')).toEqual([['69266', 1]]);
    expect(countRows(rows, 'status')).toEqual([['new', 2]]);
  });

  it('exports a table as CSV with the masked cells as shown', () => {
    expect(csvOf('Âge', [['a', 3], ['b', null]], (k) => k.toUpperCase())).toBe('"Valeur";"Âge"\r\n"A";"3"\r\n"B";"< 5"\r\n');
  });
});

describe('inbox', () => {
  it('maps the shortcuts shown on screen', () => {
    expect(inboxKey('j')).toEqual({ do: 'next' });
    expect(inboxKey('ArrowLeft')).toEqual({ do: 'prev' });
    expect(inboxKey('q')).toEqual({ do: 'qualify' });
    expect(inboxKey('h')).toEqual({ do: 'offTopic' });
    expect(inboxKey('1')).toEqual({ do: 'theme', theme: 'cleanliness' });
    expect(inboxKey('9')).toEqual({ do: 'theme', theme: KEY_THEMES[8] });
    expect(inboxKey('0')).toBeNull();
    expect(inboxKey('x')).toBeNull();
  });

  it('reads suggestions: likely duplicates first, likely topics from the similar ones', () => {
    const r = {
      contribution: 'c0',
      items: [
        { id: 'a', score: 0.4, duplicate: false, excerpt: 'proche', topic: 't1' },
        { id: 'b', score: 0.9, duplicate: true, excerpt: 'même chose', topic: null },
        { id: 'c', score: 0.3, duplicate: false, excerpt: 'autre', topic: 't1' },
      ],
      candidates: 12,
    };
    expect(readSuggestions(r, new Map([['t1', 'Éclairage']]))).toEqual({
      duplicates: [
        { id: 'b', text: 'même chose', duplicate: true },
        { id: 'a', text: 'proche', duplicate: false },
        { id: 'c', text: 'autre', duplicate: false },
      ],
      topics: [{ id: 't1', title: 'Éclairage' }],
    });
    expect(readSuggestions(null)).toEqual({ topics: [], duplicates: [] });
  });
});

describe('topics and follow-up', () => {
  const topic = (id: string, status: string, updated_at: string): Topic => ({ id, title: id, status, created_at: '2026-11-01T00:00:00Z', updated_at });

  it('groups the board by status, most recently updated first', () => {
    const b = board([topic('a', 'open', '2026-11-02'), topic('b', 'answered', '2026-11-03'), topic('c', 'open', '2026-11-05')]);
    expect(Object.keys(b)).toEqual(['open', 'forwarded', 'answered', 'closed']);
    expect(b.open!.map((x) => x.id)).toEqual(['c', 'a']);
    expect(b.forwarded).toEqual([]);
  });

  it('computes figures from members', () => {
    const fig = figures([contribution({ geo: { commune: '69266', near_border: false, outside: false } }), contribution({ id: 'c2', kind: 'proposal', geo: { commune: '69266', near_border: false, outside: false } })]);
    expect(fig).toEqual({ total: 2, communes: [['69266', 2]], kinds: [['concern', 1], ['proposal', 1]] });
  });

  it('puts the most overdue first', () => {
    const fw = (id: string, due_on: string, days_overdue?: number): Forward => ({ id, recipient: 'r', recipient_name: 'R', message: '', due_on, sent_at: '2026-10-01T00:00:00Z', emailed: false, days_overdue });
    const order = waitingOrder([fw('later', '2026-12-20'), fw('late', '2026-11-20'), fw('later-still', '2026-12-30'), fw('very-late', '2026-11-01')], '2026-12-02');
    expect(order.map((x) => x.id)).toEqual(['very-late', 'late', 'later', 'later-still']);
    expect(order[0]!.late).toBe(31);
    expect(overdueDays(fw('x', '2026-11-01', 3), '2026-12-02')).toBe(3);
  });
});

describe('answer page', () => {
  it('takes the token from the fragment only', () => {
    expect(answerToken('#abc%2Bdef')).toBe('abc+def');
    expect(answerToken('')).toBe('');
  });

  it('reads the dossier of the API', () => {
    const d = readDossier({
      kind: 'topic',
      title: 'Éclairage',
      summary: 'Le soir',
      themes: ['safety'],
      figures: { count: 2, by_commune: [{ code: '69266', name: 'Villeurbanne', count: 2 }], by_kind: { concern: 2 } },
      quotes: ['on ne se sent pas en sécurité'],
      communes: [{ code: '69266', name: 'Villeurbanne' }],
      recipient_name: 'Mme Dumas',
      message: 'Bonjour',
      due_on: '2026-12-31',
      sent_at: '2026-12-02T10:00:00Z',
      answer: null,
    });
    expect(d.title).toBe('Éclairage');
    expect(d.count).toBe(2);
    expect(d.byCommune).toEqual([{ name: 'Villeurbanne', count: 2 }]);
    expect(d.quotes).toEqual(['on ne se sent pas en sécurité']);
    expect(d.answer).toBeNull();
    expect(readDossier({}).count).toBe(0);
  });
});
