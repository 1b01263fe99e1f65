// Pure formatting for the console: labels from codes, places, excerpts,
// history in words, masked statistics, error messages. Unit-tested.
import { fr } from '../i18n/fr';
import { frConsole as t } from '../i18n/fr-console';
import { ApiError, NetworkError, SessionExpiredError } from '../network/api';
import type { Contribution, HistoryEntry, TopicEvent } from './api';

export const STATUSES = ['new', 'qualified', 'forwarded', 'answered', 'closed', 'duplicate', 'off_topic'] as const;
export const KINDS = ['concern', 'expectation', 'proposal'] as const;
export const THEMES = Object.keys(fr.themes).filter((k) => k !== 'legend');
export const TOPIC_STATUSES = ['open', 'forwarded', 'answered', 'closed'] as const;

/** Same rules as shared/src/workflow.rs `is_allowed` (the server decides; this only offers). */
export function allowedNext(from: string): string[] {
  const next: Record<string, string[]> = {
    new: ['qualified', 'duplicate', 'off_topic'],
    qualified: ['forwarded', 'new', 'duplicate', 'off_topic'],
    forwarded: ['answered', 'qualified'],
    answered: ['closed', 'forwarded'],
    closed: ['answered', 'qualified'],
    duplicate: ['qualified'],
    off_topic: ['qualified'],
  };
  return next[from] ?? [];
}

export const statusOf = (c: Pick<Contribution, 'review'>): string => c.review?.status ?? 'new';
export const statusLabel = (s: string): string => fr.review[s] ?? s;
export const kindLabel = (k: string): string => (fr.kinds as Record<string, string>)[k] ?? k;
export const themeLabel = (k: string): string => fr.themes[k] ?? k;
export const topicStatusLabel = (s: string): string => t.topics.status[s] ?? s;

/** Themes as the officer qualified them, else as recorded on the phone. */
export const themesOf = (c: Pick<Contribution, 'review' | 'themes'>): string[] =>
  c.review?.themes && c.review.themes.length ? c.review.themes : c.themes;

/** « Lyon 3e Arrondissement », « Villeurbanne », « Hors du territoire ». */
export function placeLabel(c: Pick<Contribution, 'geo'>, names: Map<string, string> = new Map()): string {
  const g = c.geo;
  if (!g) return t.unknownCommune;
  if (g.outside) return t.outside;
  if (g.arrondissement) return g.arrondissement_name ?? names.get(g.arrondissement) ?? g.arrondissement;
  if (g.commune) return g.commune_name ?? names.get(g.commune) ?? g.commune;
  return t.unknownCommune;
}

/** The first words of a text, cut on a word boundary, for labels and tables. */
export function excerpt(text: string, max = 60): string {
  const s = text.replace(/\s+/g, ' ').trim();
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  const sp = cut.lastIndexOf(' ');
  return (sp > max * 0.6 ? cut.slice(0, sp) : cut) + '…';
}

const roleWord: Record<string, string> = {
  volunteer: 'bénévole',
  commune: 'commune',
  officer: 'chargé·e de participation',
  admin: 'administration',
};

/** One line of a contribution's history, in words. */
export function historyLine(e: HistoryEntry): string {
  const when = e.at ? t.date(e.at) : t.detail.unknownTime;
  if (e.user_id === '@server') return t.detail.historyServer(when);
  return t.detail.historyEntry(e.user_name ?? e.user_id, roleWord[e.role ?? ''] ?? e.role ?? '—', when);
}

/** One line of a topic's history, in words. */
export function topicEventLine(e: TopicEvent, names: Map<string, string> = new Map()): string {
  const who = e.by.startsWith('@recipient:') ? t.topics.byRecipient : (names.get(e.by) ?? e.by);
  let what = t.topics.event[e.action] ?? e.action;
  const d = e.detail as { count?: number; ids?: unknown[]; to?: string; status?: string } | null | undefined;
  const n = d?.count ?? (Array.isArray(d?.ids) ? d.ids.length : undefined);
  if (e.action === 'attached' && n) what += ` (${n})`;
  if (e.action === 'status' && d?.to) what += ` : ${topicStatusLabel(d.to)}`;
  if (e.action === 'status' && d?.status) what += ` : ${topicStatusLabel(d.status)}`;
  return t.topics.eventLine(t.date(e.at), what, who);
}

/**
 * A statistics cell: the server masks small counts (fewer than 5 people) as
 * `null`, a string like "<5", or `{masked: true}`; all read « < 5 ».
 */
export function cell(v: unknown): string {
  if (typeof v === 'number') return t.count(v);
  if (v === null || v === undefined) return t.stats.masked;
  if (typeof v === 'string') return /^\s*<\s*5\s*$/.test(v) ? t.stats.masked : v;
  if (typeof v === 'object' && (v as { masked?: boolean }).masked) return t.stats.masked;
  return String(v);
}

/** A numeric value for a bar (masked cells draw no bar). */
export const cellValue = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** Days between two instants, floored (for « depuis » and « en retard de »). */
export function daysBetween(fromIso: string, to: Date = new Date()): number {
  const from = new Date(fromIso.length === 10 ? fromIso + 'T00:00:00Z' : fromIso);
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / 86_400_000));
}

/** What a failed call means for the person at the screen. */
export function errorMessage(e: unknown, fallback: string = t.errorLoad): string {
  if (e instanceof NetworkError || (typeof navigator !== 'undefined' && navigator.onLine === false)) return t.offline;
  if (e instanceof SessionExpiredError) return t.sessionExpired;
  if (e instanceof ApiError) {
    if (e.status === 409) return t.errorConflict;
    if (e.status === 404) return t.notFound;
    if (e.status === 405 || e.code === 'not_found' || e.code === 'http_404') return t.notAvailable;
  }
  return fallback;
}

/** Whether an error means "this endpoint is not on this server yet". */
export const isMissingEndpoint = (e: unknown): boolean =>
  e instanceof ApiError && (e.status === 404 || e.status === 405) && !/contribution/i.test(e.message);

/** Shading class 0..4 of a count against the maximum (map legend steps). */
export function shade(n: number, max: number): number {
  if (n <= 0 || max <= 0) return 0;
  return Math.min(4, 1 + Math.floor((n / max) * 3.999));
}

/** The legend's steps for a maximum: [from, to] for each shade 1..4 that some count takes. */
export function legendSteps(max: number): [number, number][] {
  if (max <= 0) return [];
  // Smallest n in 1..max with shade(n) >= s (shade is monotonic in n).
  const first = (s: number): number => {
    let lo = 1;
    let hi = max + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (shade(mid, max) >= s) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const steps: [number, number][] = [];
  for (let s = 1; s <= 4; s++) {
    const lo = first(s);
    const hi = first(s + 1) - 1;
    if (lo <= max && hi >= lo) steps.push([lo, hi]);
  }
  return steps;
}
