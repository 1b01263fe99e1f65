// The contribution document: creation, content edits by its author, and the
// plain view the screens show. Only `text` is Automerge Text; every other
// string is an ImmutableString (docs/SYNC-PROTOCOL.md).
import { Automerge, imm, str } from './automerge';
import type { ContributionInput, ContributionView, Geo, Kind, Location, Respondent } from './types';

/** The raw document as Automerge holds it; read it with `readContribution`. */
export type RawDoc = Record<string, unknown>;

/**
 * Writes `location` with f64 numbers (an integral 45 would otherwise be an
 * integer). Float64 must be assigned on the map proxy one key at a time: inside
 * an object literal Automerge 3 stores it as a nested map `{value}`.
 */
function setLocation(d: RawDoc, l: Location): void {
  d.location = { source: imm(l.source), captured_at: imm(l.captured_at) };
  const m = d.location as Record<string, unknown>;
  m.lat = new Automerge.Float64(l.lat);
  m.lon = new Automerge.Float64(l.lon);
  if (l.accuracy_m !== undefined) m.accuracy_m = new Automerge.Float64(l.accuracy_m);
}

function respondentValue(r: Respondent): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const k of ['age', 'gender', 'relation', 'district'] as const) {
    const v = r[k];
    if (v) out[k] = imm(v);
  }
  return Object.keys(out).length ? out : undefined;
}

function consentValue(c: ContributionInput['consent']): Record<string, unknown> {
  const out: Record<string, unknown> = { contact: c.contact };
  if (c.contact && c.at) out.at = imm(c.at);
  return out;
}

export function createContribution(
  id: string,
  author: string,
  input: ContributionInput,
  now: Date = new Date(),
): Automerge.Doc<RawDoc> {
  return Automerge.change(Automerge.init<RawDoc>(), (d) => {
    d.id = imm(id);
    d.type = imm('contribution');
    d.schema = 1;
    d.campaign = imm(input.campaign);
    if (input.outing) d.outing = imm(input.outing);
    d.created_at = imm(now.toISOString());
    d.author = imm(author);
    d.kind = imm(input.kind);
    d.themes = input.themes.map(imm);
    d.text = input.text; // a plain JS string becomes collaborative Text
    if (input.location) setLocation(d, input.location);
    if (input.declared_commune) d.declared_commune = imm(input.declared_commune);
    const r = input.respondent && respondentValue(input.respondent);
    if (r) d.respondent = r;
    d.consent = consentValue(input.consent);
  });
}

/** Deep equality of plain JSON-like values, whatever the key order. */
function sameJson(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .filter(([, x]) => x !== undefined)
              .sort(([x], [y]) => x.localeCompare(y))
              .map(([k, x]) => [k, canon(x)]),
          )
        : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

/**
 * Applies the author's edit. Only the fields that changed are written, and
 * `text` is replaced as a whole string (Rust counts code points, JS UTF-16
 * units, so no positional splices cross the wire).
 */
export function updateContribution(doc: Automerge.Doc<RawDoc>, input: ContributionInput): Automerge.Doc<RawDoc> {
  const cur = readContribution(doc);
  const next = Automerge.change(doc, (d) => {
    if (cur.kind !== input.kind) d.kind = imm(input.kind);
    if (!sameJson(cur.themes, input.themes)) d.themes = input.themes.map(imm);
    if (cur.text !== input.text) Automerge.updateText(d, ['text'], input.text);
    if (!sameJson(cur.location ?? null, input.location ?? null)) {
      if (input.location) setLocation(d, input.location);
      else delete d.location;
    }
    if ((cur.declared_commune ?? '') !== (input.declared_commune ?? '')) {
      if (input.declared_commune) d.declared_commune = imm(input.declared_commune);
      else delete d.declared_commune;
    }
    const r = input.respondent && respondentValue(input.respondent);
    if (!sameJson(cur.respondent ?? null, input.respondent && r ? input.respondent : null)) {
      if (r) d.respondent = r;
      else delete d.respondent;
    }
    if (cur.consent.contact !== input.consent.contact) d.consent = consentValue(input.consent);
    if ((cur.outing ?? '') !== (input.outing ?? '') && input.outing) d.outing = imm(input.outing);
  });
  return next;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'value' in v && typeof (v as { value: unknown }).value === 'number') {
    return (v as { value: number }).value;
  }
  return undefined;
}

function map(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function readLocation(v: unknown): Location | undefined {
  const m = map(v);
  if (!m) return undefined;
  const lat = num(m.lat);
  const lon = num(m.lon);
  if (lat === undefined || lon === undefined) return undefined;
  const loc: Location = {
    lat,
    lon,
    source: (str(m.source) ?? 'gps') as Location['source'],
    captured_at: str(m.captured_at) ?? '',
  };
  const acc = num(m.accuracy_m);
  if (acc !== undefined) loc.accuracy_m = acc;
  return loc;
}

function readRespondent(v: unknown): Respondent | undefined {
  const m = map(v);
  if (!m) return undefined;
  const r: Respondent = {};
  for (const k of ['age', 'gender', 'relation', 'district'] as const) {
    const s = str(m[k]);
    if (s) r[k] = s;
  }
  return Object.keys(r).length ? r : undefined;
}

function readGeo(v: unknown): Geo | undefined {
  const m = map(v);
  const commune = m && str(m.commune);
  if (!m || !commune) return undefined;
  const g: Geo = { commune, near_border: m.near_border === true, outside: m.outside === true };
  const cn = str(m.commune_name);
  if (cn) g.commune_name = cn;
  const a = str(m.arrondissement);
  if (a) g.arrondissement = a;
  const an = str(m.arrondissement_name);
  if (an) g.arrondissement_name = an;
  return g;
}

export function readContribution(doc: Automerge.Doc<RawDoc>): ContributionView {
  const d = doc as RawDoc;
  const consent = map(d.consent);
  const view: ContributionView = {
    id: str(d.id) ?? '',
    author: str(d.author) ?? '',
    created_at: str(d.created_at) ?? '',
    campaign: str(d.campaign) ?? '',
    kind: (str(d.kind) ?? 'concern') as Kind,
    themes: Array.isArray(d.themes) ? d.themes.map((t) => str(t) ?? '') : [],
    text: str(d.text) ?? '',
    consent: { contact: consent?.contact === true },
  };
  const at = consent && str(consent.at);
  if (at) view.consent.at = at;
  const outing = str(d.outing);
  if (outing) view.outing = outing;
  const loc = readLocation(d.location);
  if (loc) view.location = loc;
  const dc = str(d.declared_commune);
  if (dc) view.declared_commune = dc;
  const r = readRespondent(d.respondent);
  if (r) view.respondent = r;
  const geo = readGeo(d.geo);
  if (geo) view.geo = geo;
  const review = map(d.review);
  const status = review && str(review.status);
  if (review && status) {
    view.review = { status };
    const notes = str(review.notes);
    if (notes) view.review.notes = notes;
  }
  return view;
}

/** The processing status a volunteer sees: a contribution without `review` is `new`. */
export function reviewStatus(v: ContributionView): string {
  return v.review?.status ?? 'new';
}
