// The console's view of the server: typed shapes of the consolidation API and
// the query strings of the list filter. Every call goes through the field
// app's `Api` (same session, same refresh), never `fetch` with a token by hand.
import type { Api } from '../network/api';

export interface Geo {
  commune?: string | null;
  commune_name?: string | null;
  arrondissement?: string | null;
  arrondissement_name?: string | null;
  near_border: boolean;
  outside: boolean;
}

export interface Review {
  status: string;
  themes?: string[];
  tags?: string[];
  notes?: string;
  merged_into?: string | null;
}

export interface Comment {
  by: string;
  role: string;
  at: string;
  text: string;
}

export interface FollowUp {
  to: string;
  sent_at?: string | null;
  answer?: string | null;
  answered_at?: string | null;
}

export interface Contribution {
  id: string;
  campaign: string;
  created_at: string;
  author: string;
  kind: string;
  themes: string[];
  text: string;
  outing?: string | null;
  location?: { lat: number; lon: number; source: string; accuracy_m?: number | null } | null;
  geo?: Geo | null;
  declared_commune?: string | null;
  respondent?: { age?: string | null; gender?: string | null; relation?: string | null; district?: string | null } | null;
  review?: Review | null;
  comments: Comment[];
  follow_up: FollowUp[];
  /** Coming with the consolidation API (index rows). */
  topic?: string | null;
  assignee?: string | null;
}

export type FacetDim = 'commune' | 'theme' | 'kind' | 'status';
export type Facets = Record<FacetDim, Record<string, number>>;

export interface ContributionPage {
  items: Contribution[];
  total: number;
  page: number;
  per_page: number;
  next_cursor?: string | null;
  facets?: Facets;
}

export interface HistoryEntry {
  hash: string;
  user_id: string;
  user_name?: string | null;
  role?: string | null;
  at?: string | null;
}

export interface Contact {
  contribution_id: string;
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  received_at: string;
}

export interface Quote {
  /** Its position in the topic (for removal). */
  index?: number;
  contribution: string;
  excerpt: string;
}

export interface TopicEvent {
  at: string;
  by: string;
  action: string;
  detail?: unknown;
}

export interface TopicFigures {
  count: number;
  by_commune: Record<string, number>;
  by_arrondissement?: Record<string, number>;
  by_kind: Record<string, number>;
  first_at?: string | null;
  last_at?: string | null;
}

export interface Topic {
  id: string;
  title: string;
  summary?: string;
  themes?: string[];
  status: string;
  allowed_next?: string[];
  assignee?: string | null;
  quotes?: Quote[];
  history?: TopicEvent[];
  created_at: string;
  created_by?: string;
  updated_at?: string;
  figures?: TopicFigures;
  /** Member ids (those the caller may read). */
  contributions?: string[];
}

export interface Recipient {
  id: string;
  kind: 'elected_official' | 'service' | 'commune';
  name: string;
  function?: string;
  email?: string | null;
  commune?: string | null;
  active?: boolean;
}

export interface Answer {
  text: string;
  author_name: string;
  author_role?: string | null;
  answered_at: string;
}

/** A forward (`POST …/forwards` gives it with `answer_url`, the link shown once). */
export interface Forward {
  id: string;
  topic?: string | null;
  contribution?: string | null;
  recipient: string;
  recipient_name: string;
  message: string;
  due_on: string;
  sent_at: string;
  contributions?: string[];
  communes?: string[];
  answer?: Answer | null;
  emailed: boolean;
  email_error?: string | null;
  /** Lines of `GET /forwards`. */
  topic_title?: string | null;
  since?: string;
  days_waiting?: number;
  days_overdue?: number;
  overdue?: boolean;
  link_active?: boolean;
}

export interface ForwardReply extends Forward {
  answer_url: string;
}

export interface ItemResult {
  id: string;
  status: string;
  code?: string;
  message?: string;
}

export interface BulkReply {
  results: ItemResult[];
  ok: number;
  errors: number;
  not_found: number;
}

export type BulkAction =
  | { type: 'status'; status: string; notes?: string }
  | { type: 'add_themes'; themes: string[] }
  | { type: 'assignee'; assignee: string | null }
  | { type: 'attach_to_topic'; topic: string; move?: boolean };

/** The list filter, as the console keeps it (and writes it in the URL). */
export interface ListFilter {
  q: string;
  communes: string[];
  themes: string[];
  kinds: string[];
  statuses: string[];
  campaign: string;
  from: string;
  to: string;
  outing: string;
  near_border: boolean;
  in_topic: '' | 'true' | 'false';
  topic: string;
  sort: 'newest' | 'oldest' | 'relevance';
  page: number;
  per_page: number;
}

export const EMPTY_FILTER: ListFilter = {
  q: '',
  communes: [],
  themes: [],
  kinds: [],
  statuses: [],
  campaign: '',
  from: '',
  to: '',
  outing: '',
  near_border: false,
  in_topic: '',
  topic: '',
  sort: 'newest',
  page: 1,
  per_page: 50,
};

const MULTI: [keyof ListFilter, string][] = [
  ['communes', 'commune'],
  ['themes', 'theme'],
  ['kinds', 'kind'],
  ['statuses', 'status'],
];
const SINGLE: [keyof ListFilter, string][] = [
  ['q', 'q'],
  ['campaign', 'campaign'],
  ['from', 'from'],
  ['to', 'to'],
  ['outing', 'outing'],
  ['in_topic', 'in_topic'],
  ['topic', 'topic'],
];

/**
 * The API's query string for a filter. Several values of one filter are
 * comma-separated (`status=new,qualified`); defaults are left out so the same
 * filter always gives the same string. `paging` false: for exports and facets.
 */
export function filterQuery(f: ListFilter, paging = true): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, name] of SINGLE) {
    const v = String(f[k] ?? '').trim();
    if (v) p.set(name, v);
  }
  for (const [k, name] of MULTI) {
    const v = f[k] as string[];
    if (v.length) p.set(name, v.join(','));
  }
  if (f.near_border) p.set('near_border', 'true');
  if (f.sort !== 'newest') p.set('sort', f.sort);
  if (paging) {
    if (f.page > 1) p.set('page', String(f.page));
    p.set('per_page', String(f.per_page));
  }
  return p;
}

/** The filter as the bulk endpoint takes it (JSON, lists as arrays). */
export function filterToBulk(f: ListFilter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (f.q.trim()) out.q = f.q.trim();
  if (f.communes.length) out.communes = f.communes;
  if (f.themes.length) out.themes = f.themes;
  if (f.kinds.length) out.kinds = f.kinds;
  if (f.statuses.length) out.statuses = f.statuses;
  if (f.campaign) out.campaign = f.campaign;
  if (f.outing) out.outing = f.outing;
  if (f.near_border) out.near_border = true;
  if (f.topic) out.topic = f.topic;
  else if (f.in_topic) out.topic = f.in_topic === 'true' ? 'any' : 'none';
  if (f.from) out.from = f.from.length === 10 ? f.from + 'T00:00:00Z' : f.from;
  if (f.to) out.to = f.to.length === 10 ? f.to + 'T00:00:00Z' : f.to;
  return out;
}

/** The console URL's query string for a filter (same names as the API). */
export function filterToSearch(f: ListFilter): string {
  const p = filterQuery(f, false);
  if (f.page > 1) p.set('page', String(f.page));
  if (f.per_page !== EMPTY_FILTER.per_page) p.set('per_page', String(f.per_page));
  const s = p.toString();
  return s ? '?' + s : '';
}

/** Reads a filter back from a console URL; unknown or bad values fall back to the defaults. */
export function searchToFilter(search: string): ListFilter {
  const p = new URLSearchParams(search);
  const f: ListFilter = { ...EMPTY_FILTER, communes: [], themes: [], kinds: [], statuses: [] };
  for (const [k, name] of SINGLE) {
    const v = p.get(name);
    if (v !== null) (f as unknown as Record<string, string>)[k] = v;
  }
  if (f.in_topic !== 'true' && f.in_topic !== 'false') f.in_topic = '';
  for (const [k, name] of MULTI) {
    const v = p.get(name);
    (f as unknown as Record<string, string[]>)[k] = v ? v.split(',').filter(Boolean) : [];
  }
  f.near_border = p.get('near_border') === 'true';
  const sort = p.get('sort');
  if (sort === 'oldest' || sort === 'relevance') f.sort = sort;
  const page = Number(p.get('page'));
  if (Number.isInteger(page) && page > 1) f.page = page;
  const per = Number(p.get('per_page'));
  if ([25, 50, 100, 200].includes(per)) f.per_page = per;
  return f;
}

export function pageCount(total: number, perPage: number): number {
  return Math.max(1, Math.ceil(total / perPage));
}

/** An account as the administration screens show it. */
export interface Account {
  id: string;
  email: string;
  name: string;
  role: string;
  commune?: string | null;
  disabled: boolean;
  created_at: string;
}

/** A contact record and the contribution it was left with. */
export interface ResidentRecord {
  contact: Contact;
  contribution: Contribution | null;
}

/** The typed calls; every one throws the field app's NetworkError / ApiError / SessionExpiredError. */
export class ConsoleApi {
  constructor(readonly api: Api) {}

  private send<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.api.json<T>(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  list(f: ListFilter, facets = false): Promise<ContributionPage> {
    const q = filterQuery(f);
    if (facets) q.set('facets', 'true');
    return this.send('GET', '/api/v1/contributions?' + q.toString());
  }
  get(id: string): Promise<Contribution> {
    return this.send('GET', `/api/v1/contributions/${encodeURIComponent(id)}`);
  }
  history(id: string): Promise<HistoryEntry[]> {
    return this.send('GET', `/api/v1/contributions/${encodeURIComponent(id)}/history`);
  }
  review(id: string, r: Review): Promise<Contribution> {
    return this.send('PUT', `/api/v1/contributions/${encodeURIComponent(id)}/review`, r);
  }
  comment(id: string, text: string): Promise<unknown> {
    return this.send('POST', `/api/v1/contributions/${encodeURIComponent(id)}/comments`, { text });
  }
  contact(id: string): Promise<Contact> {
    return this.send('GET', `/api/v1/contributions/${encodeURIComponent(id)}/contact`);
  }
  accounts(): Promise<Account[]> {
    return this.send('GET', '/api/v1/users');
  }
  createAccount(a: { email: string; name: string; role: 'volunteer'; password: string }): Promise<Account> {
    return this.send('POST', '/api/v1/users', a);
  }
  updateAccount(id: string, patch: { disabled?: boolean; password?: string; name?: string }): Promise<Account> {
    return this.send('PATCH', `/api/v1/users/${encodeURIComponent(id)}`, patch);
  }
  async signOutAccount(id: string): Promise<void> {
    const res = await this.api.authed(`/api/v1/users/${encodeURIComponent(id)}/sessions`, { method: 'DELETE' });
    if (!res.ok) throw new Error('sign out failed');
  }
  /** Droit d'accès: every contact record left with this number, e-mail or name (in the body, never the URL). */
  residentRecords(q: { phone?: string; email?: string; name?: string }): Promise<{ records: ResidentRecord[] }> {
    return this.send('POST', '/api/v1/residents/search', q);
  }
  /** Droit à l'effacement of the given contributions' contact records. */
  eraseResident(ids: string[]): Promise<{ erased: number }> {
    return this.send('POST', '/api/v1/residents/erase', { contribution_ids: ids });
  }
  async deleteContact(id: string): Promise<void> {
    const res = await this.api.authed(`/api/v1/contributions/${encodeURIComponent(id)}/contact`, { method: 'DELETE' });
    if (!res.ok && res.status !== 404) throw new Error('delete failed');
  }
  similar(id: string): Promise<{ items?: { id: string; text?: string; score?: number }[]; topics?: { id: string; title: string }[] }> {
    return this.send('GET', `/api/v1/contributions/${encodeURIComponent(id)}/similar?limit=5`);
  }
  bulk(body: { ids?: string[]; filter?: Record<string, unknown>; action: BulkAction }): Promise<BulkReply> {
    return this.send('POST', '/api/v1/contributions/bulk', body);
  }
  topics(): Promise<Topic[] | { items: Topic[] }> {
    return this.send('GET', '/api/v1/topics');
  }
  topic(id: string): Promise<Topic> {
    return this.send('GET', `/api/v1/topics/${encodeURIComponent(id)}`);
  }
  createTopic(t: { title: string; summary?: string; contributions?: string[] }): Promise<Topic> {
    return this.send('POST', '/api/v1/topics', t);
  }
  patchTopic(id: string, t: Partial<Topic>): Promise<Topic> {
    return this.send('PATCH', `/api/v1/topics/${encodeURIComponent(id)}`, t);
  }
  attach(id: string, ids: string[]): Promise<{ results: ItemResult[] }> {
    return this.send('POST', `/api/v1/topics/${encodeURIComponent(id)}/contributions`, { ids });
  }
  async detach(id: string, cid: string): Promise<void> {
    await this.send('DELETE', `/api/v1/topics/${encodeURIComponent(id)}/contributions/${encodeURIComponent(cid)}`);
  }
  addQuote(id: string, q: Quote): Promise<unknown> {
    return this.send('POST', `/api/v1/topics/${encodeURIComponent(id)}/quotes`, q);
  }
  recipients(): Promise<Recipient[] | { items: Recipient[] }> {
    return this.send('GET', '/api/v1/recipients');
  }
  createRecipient(r: Omit<Recipient, 'id'>): Promise<Recipient> {
    return this.send('POST', '/api/v1/recipients', r);
  }
  forward(topic: string, body: { recipient: string; message: string; due_on: string }): Promise<ForwardReply> {
    return this.send('POST', `/api/v1/topics/${encodeURIComponent(topic)}/forwards`, body);
  }
  forwards(state: 'waiting' | 'answered' | 'all'): Promise<Forward[] | { items: Forward[] }> {
    return this.send('GET', `/api/v1/forwards?state=${state}`);
  }
  stats(kind: 'contributions' | 'respondents', by: string, f: ListFilter): Promise<unknown> {
    const q = filterQuery(f, false);
    q.set('by', by);
    return this.send('GET', `/api/v1/stats/${kind}?${q.toString()}`);
  }
  followUpStats(): Promise<unknown> {
    return this.send('GET', '/api/v1/stats/follow-up');
  }
  assemblies(): Promise<unknown> {
    return this.send('GET', '/api/v1/assemblies');
  }
  createAssembly(a: { title: string; date: string; place: string; agenda: { topic: string }[] }): Promise<unknown> {
    return this.send('POST', '/api/v1/assemblies', a);
  }
  assembly(id: string): Promise<unknown> {
    return this.send('GET', `/api/v1/assemblies/${encodeURIComponent(id)}`);
  }
  /** An export of the filter as a file (the browser saves it). */
  async exportFile(format: 'csv' | 'xlsx' | 'geojson', f: ListFilter): Promise<{ blob: Blob; name: string }> {
    const res = await this.api.authed(`/api/v1/exports/contributions.${format}?${filterQuery(f, false).toString()}`);
    if (!res.ok) throw new Error('export ' + res.status);
    const cd = res.headers.get('Content-Disposition') ?? '';
    const name = /filename="?([^";]+)"?/.exec(cd)?.[1] ?? `contributions.${format}`;
    return { blob: await res.blob(), name };
  }
}

/** Lists come as an array or as `{items}`: the console accepts both. */
export function items<T>(r: T[] | { items: T[] } | null | undefined): T[] {
  if (!r) return [];
  return Array.isArray(r) ? r : (r.items ?? []);
}
