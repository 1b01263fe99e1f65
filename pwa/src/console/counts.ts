// Counts per value for the map and the statistics: from the list's facets or
// the statistics endpoints when the server has them, else counted from the
// filter's pages (small stores only). Readers accept the shapes the API may
// wrap its figures in. Pure parts are unit-tested.
import type { ConsoleApi, Contribution, ListFilter } from './api';
import { isMissingEndpoint, statusOf, themesOf } from './format';

/** A count or a masked cell (`null`: fewer than 5 people). */
export type Cell = number | null;
export type Counts = [string, Cell][];

/**
 * Reads `{key: n}`, `[{key|value|code|week, count|n|value}]`, or either under
 * `counts` / `rows` / `items` / `buckets`; masked cells (`null`, `"<5"`,
 * `{masked: true}`) become `null`.
 */
export function readCounts(r: unknown): Counts {
  const o = r as Record<string, unknown> | unknown[] | null;
  if (!o) return [];
  const inner = Array.isArray(o) ? o : (o.counts ?? o.rows ?? o.items ?? o.buckets ?? o.cells ?? o);
  const val = (v: unknown): Cell => {
    if (typeof v === 'number') return v;
    if (v && typeof v === 'object') {
      const m = v as Record<string, unknown>;
      if (m.masked) return null;
      return val(m.count ?? m.n ?? m.value ?? null);
    }
    return null;
  };
  if (Array.isArray(inner)) {
    return inner
      .map((x) => {
        const m = x as Record<string, unknown>;
        const key = String(m.key ?? m.code ?? m.week ?? m.bucket ?? m.label ?? m.value ?? '');
        return [key, m.masked ? null : val(m.count ?? m.n ?? m.total ?? null)] as [string, Cell];
      })
      .filter(([k]) => k);
  }
  if (typeof inner === 'object') return Object.entries(inner as Record<string, unknown>).filter(([k]) => k !== 'by' && k !== 'total').map(([k, v]) => [k, val(v)]);
  return [];
}

/** ISO week `2026-W48` of a date (UTC is close enough to Paris for a weekly bucket). */
export function isoWeek(iso: string): string {
  const d = new Date(iso);
  const day = (d.getUTCDay() + 6) % 7;
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3));
  const firstThursday = new Date(Date.UTC(thursday.getUTCFullYear(), 0, 4));
  const week = 1 + Math.round(((thursday.getTime() - firstThursday.getTime()) / 86_400_000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Counts of rows by a dimension (the fallback when the server has no statistics). */
export function countRows(rows: Contribution[], by: string): Counts {
  const m = new Map<string, number>();
  const add = (k: string | null | undefined) => k && m.set(k, (m.get(k) ?? 0) + 1);
  for (const c of rows) {
    if (by === 'theme') themesOf(c).forEach(add);
    else if (by === 'commune') add(c.geo?.commune);
    else if (by === 'arrondissement') add(c.geo?.arrondissement);
    else if (by === 'kind') add(c.kind);
    else if (by === 'status') add(statusOf(c));
    else if (by === 'week') add(isoWeek(c.created_at));
  }
  return [...m.entries()];
}

/** Every row of a filter, page by page, for small stores (at most `cap`). */
export async function allRows(api: ConsoleApi, f: ListFilter, cap = 2000): Promise<Contribution[] | null> {
  const first = await api.list({ ...f, page: 1, per_page: 200 });
  if (first.total > cap) return null;
  const rows = [...first.items];
  for (let p = 2; rows.length < first.total && p <= Math.ceil(cap / 200); p++) {
    const next = await api.list({ ...f, page: p, per_page: 200 });
    if (!next.items.length) break;
    rows.push(...next.items);
  }
  return rows;
}

/** Counts of the filter by a dimension: the statistics endpoint, else the rows. */
export async function countsBy(api: ConsoleApi, f: ListFilter, by: string, rows?: () => Promise<Contribution[] | null>): Promise<Counts | null> {
  try {
    return readCounts(await api.stats('contributions', by, f));
  } catch (e) {
    if (!isMissingEndpoint(e)) throw e;
  }
  const r = rows ? await rows() : await allRows(api, f);
  return r ? countRows(r, by) : null;
}
