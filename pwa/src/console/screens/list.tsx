// The list: search, every filter of the API with facet counts, sort, the
// number of results, a semantic table with server-side sort and pages,
// selection (the page, or the whole filter) and bulk actions, exports.
// The filter lives in the URL: a link, the back button and the map share it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { frConsole as t } from '../../i18n/fr-console';
import { type BulkAction, type Contribution, type ContributionPage, EMPTY_FILTER, type ListFilter, filterQuery, filterToBulk, filterToSearch, items, pageCount, searchToFilter, type Topic } from '../api';
import { KINDS, STATUSES, THEMES, errorMessage, excerpt, isMissingEndpoint, kindLabel, placeLabel, statusLabel, statusOf, themeLabel, themesOf } from '../format';
import { announce, type ConsoleCtx, Failure, FormError, Link, Loading, useAsync } from '../ui';

export function listHref(f: ListFilter): string {
  return '/console/contributions' + filterToSearch(f);
}

function CheckGroup({ legend, name, values, chosen, label, counts, onChange }: {
  legend: string;
  name: string;
  values: readonly string[];
  chosen: string[];
  label: (v: string) => string;
  counts?: Record<string, number>;
  onChange: (v: string[]) => void;
}) {
  return (
    <fieldset class="c-checks">
      <legend>{legend}</legend>
      {values.map((v) => {
        const id = `f-${name}-${v}`;
        const n = counts?.[v];
        return (
          <div key={v} class="c-check">
            <input
              type="checkbox"
              id={id}
              checked={chosen.includes(v)}
              onChange={(e) => {
                const on = (e.target as HTMLInputElement).checked;
                onChange(on ? [...chosen, v] : chosen.filter((x) => x !== v));
              }}
            />
            <label for={id}>
              {label(v)}
              {n !== undefined && <span class="c-count"> ({n.toLocaleString('fr-FR')})</span>}
            </label>
          </div>
        );
      })}
    </fieldset>
  );
}

function Filters({ ctx, f, page, set }: { ctx: ConsoleCtx; f: ListFilter; page?: ContributionPage; set: (f: ListFilter) => void }) {
  const facets = page?.facets;
  const change = (patch: Partial<ListFilter>) => set({ ...f, ...patch, page: 1 });
  // Communes offered: the facet's (what the filter holds), else the territory's.
  const communeCodes = facets?.commune ? Object.keys(facets.commune) : [...ctx.names.keys()];
  const communes = communeCodes
    .filter((c) => ctx.officer || c === ctx.session.user.commune || f.communes.includes(c))
    .sort((a, b) => (ctx.names.get(a) ?? a).localeCompare(ctx.names.get(b) ?? b, 'fr'));
  return (
    <aside class="c-filters" aria-labelledby="filters-title">
      <h2 id="filters-title">{t.list.filters}</h2>
      {ctx.officer && (
        <div class="c-field">
          <label for="f-commune">{t.list.commune}</label>
          <select id="f-commune" value={f.communes[0] ?? ''} onChange={(e) => change({ communes: (e.target as HTMLSelectElement).value ? [(e.target as HTMLSelectElement).value] : [] })}>
            <option value="">{t.list.any}</option>
            {communes.map((c) => (
              <option key={c} value={c}>
                {(ctx.names.get(c) ?? c) + (facets?.commune?.[c] !== undefined ? ` (${facets.commune[c]!.toLocaleString('fr-FR')})` : '')}
              </option>
            ))}
          </select>
        </div>
      )}
      <CheckGroup legend={t.list.status} name="status" values={STATUSES} chosen={f.statuses} label={statusLabel} counts={facets?.status} onChange={(statuses) => change({ statuses })} />
      <CheckGroup legend={t.list.kind} name="kind" values={KINDS} chosen={f.kinds} label={kindLabel} counts={facets?.kind} onChange={(kinds) => change({ kinds })} />
      <CheckGroup legend={t.list.theme} name="theme" values={THEMES} chosen={f.themes} label={themeLabel} counts={facets?.theme} onChange={(themes) => change({ themes })} />
      <div class="c-field">
        <label for="f-from">{t.list.from}</label>
        <input id="f-from" type="date" value={f.from} onChange={(e) => change({ from: (e.target as HTMLInputElement).value })} />
      </div>
      <div class="c-field">
        <label for="f-to">{t.list.to}</label>
        <input id="f-to" type="date" value={f.to} onChange={(e) => change({ to: (e.target as HTMLInputElement).value })} />
      </div>
      {ctx.officer && (
        <div class="c-field">
          <label for="f-topic">{t.list.inTopic}</label>
          <select id="f-topic" value={f.in_topic} onChange={(e) => change({ in_topic: (e.target as HTMLSelectElement).value as ListFilter['in_topic'] })}>
            <option value="">{t.list.inTopicAny}</option>
            <option value="true">{t.list.inTopicYes}</option>
            <option value="false">{t.list.inTopicNo}</option>
          </select>
        </div>
      )}
      <div class="c-check">
        <input id="f-border" type="checkbox" checked={f.near_border} onChange={(e) => change({ near_border: (e.target as HTMLInputElement).checked })} />
        <label for="f-border">{t.list.nearBorder}</label>
      </div>
      <button type="button" onClick={() => set({ ...EMPTY_FILTER, communes: [], themes: [], kinds: [], statuses: [], q: f.q })}>
        {t.list.clear}
      </button>
    </aside>
  );
}

function SortHeader({ label, f, set }: { label: string; f: ListFilter; set: (f: ListFilter) => void }) {
  const dir = f.sort === 'oldest' ? 'ascending' : f.sort === 'newest' ? 'descending' : 'none';
  const next = f.sort === 'newest' ? 'oldest' : 'newest';
  return (
    <th scope="col" aria-sort={dir}>
      <button type="button" class="c-sort" onClick={() => set({ ...f, sort: next, page: 1 })}>
        {label} <span aria-hidden="true">{dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '↕'}</span>
        <span class="visually-hidden">{t.list.sortBy(label, next === 'oldest' ? t.list.sortOldest : t.list.sortNewest)}</span>
      </button>
    </th>
  );
}

async function download(ctx: ConsoleCtx, format: 'csv' | 'xlsx' | 'geojson', f: ListFilter) {
  try {
    const { blob, name } = await ctx.api.exportFile(format, f);
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    announce(t.list.exportDone(name));
  } catch (e) {
    announce(isMissingEndpoint(e) ? t.notAvailable : errorMessage(e, t.list.exportFailed));
  }
}

export function ExportButtons({ ctx, f }: { ctx: ConsoleCtx; f: ListFilter }) {
  return (
    <div class="c-exports" role="group" aria-label={t.list.exports}>
      <span>{t.list.exports} :</span>
      <button type="button" onClick={() => void download(ctx, 'csv', f)}>{t.list.exportCsv}</button>
      <button type="button" onClick={() => void download(ctx, 'xlsx', f)}>{t.list.exportXlsx}</button>
      <button type="button" onClick={() => void download(ctx, 'geojson', f)}>{t.list.exportGeojson}</button>
    </div>
  );
}

function Bulk({ ctx, f, total, selected, all, clear, reload }: {
  ctx: ConsoleCtx;
  f: ListFilter;
  total: number;
  selected: Set<string>;
  all: boolean;
  clear: () => void;
  reload: () => void;
}) {
  const [action, setAction] = useState('qualify');
  const [theme, setTheme] = useState(THEMES[0]!);
  const [topicId, setTopicId] = useState('');
  const [newTitle, setNewTitle] = useState('');
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const [topics] = useAsync(async () => (ctx.officer ? items<Topic>(await ctx.api.topics()) : []), []);
  const topicList = topics.state === 'ok' ? topics.data : [];
  const n = all ? total : selected.size;
  if (!ctx.officer || n === 0) return null;
  const ids = [...selected];

  const run = async () => {
    setErr('');
    setBusy(true);
    try {
      if (action === 'new_topic') {
        if (!newTitle.trim()) {
          setErr(t.list.titleRequired);
          return;
        }
        const topic = await ctx.api.createTopic({ title: newTitle.trim(), contributions: ids });
        announce(t.topics.created(topic.title));
        setNewTitle('');
        clear();
        ctx.navigate(`/console/sujets/${topic.id}`);
        return;
      }
      if (action === 'attach' && !topicId) return;
      const act: BulkAction =
        action === 'qualify'
          ? { type: 'status', status: 'qualified' }
          : action === 'theme'
            ? { type: 'add_themes', themes: [theme] }
            : action === 'attach'
              ? { type: 'attach_to_topic', topic: topicId }
              : { type: 'assignee', assignee: ctx.session.user.id };
      const r = await ctx.api.bulk(all ? { filter: filterToBulk(f), action: act } : { ids, action: act });
      announce(r.errors || r.not_found ? t.list.bulkPartial(r.ok, r.errors + r.not_found) : t.list.bulkDone(r.ok));
      clear();
      reload();
    } catch (e) {
      setErr(errorMessage(e, t.errorSave));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="c-bulk"
      aria-labelledby="bulk-title"
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      <h2 id="bulk-title">
        {t.list.bulk} — {all ? t.list.selectAllFilter(total) : t.list.selected(selected.size)}
      </h2>
      <div class="c-row">
        <div class="c-field">
          <label for="bulk-action">{t.list.bulkAction}</label>
          <select id="bulk-action" value={action} onChange={(e) => setAction((e.target as HTMLSelectElement).value)}>
            <option value="qualify">{t.list.bulkQualify}</option>
            <option value="theme">{t.list.bulkTheme}</option>
            <option value="assign">{t.list.bulkAssign}</option>
            <option value="attach">{t.list.bulkAttach}</option>
            {!all && <option value="new_topic">{t.list.newTopicFromSelection}</option>}
          </select>
        </div>
        {action === 'theme' && (
          <div class="c-field">
            <label for="bulk-theme">{t.list.theme}</label>
            <select id="bulk-theme" value={theme} onChange={(e) => setTheme((e.target as HTMLSelectElement).value)}>
              {THEMES.map((th) => (
                <option key={th} value={th}>{themeLabel(th)}</option>
              ))}
            </select>
          </div>
        )}
        {action === 'attach' && (
          <div class="c-field">
            <label for="bulk-topic">{t.topics.title}</label>
            <select id="bulk-topic" value={topicId} onChange={(e) => setTopicId((e.target as HTMLSelectElement).value)}>
              <option value="">—</option>
              {topicList.map((tp) => (
                <option key={tp.id} value={tp.id}>{tp.title}</option>
              ))}
            </select>
          </div>
        )}
        {action === 'new_topic' && (
          <div class="c-field">
            <label for="bulk-new-title">{t.topics.topicTitle}</label>
            <input id="bulk-new-title" value={newTitle} onInput={(e) => setNewTitle((e.target as HTMLInputElement).value)} />
          </div>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t.list.bulkRun}
        </button>
        <button type="button" onClick={clear}>
          {t.list.clearSelection}
        </button>
      </div>
      {err && <FormError message={err} />}
    </form>
  );
}

export function ResultsTable({ ctx, rows, f, set, selected, toggle, togglePage }: {
  ctx: ConsoleCtx;
  rows: Contribution[];
  f: ListFilter;
  /** Without it, the table has no sort buttons. */
  set?: (f: ListFilter) => void;
  selected?: Set<string>;
  toggle?: (id: string) => void;
  togglePage?: (on: boolean) => void;
}) {
  const allOnPage = rows.length > 0 && rows.every((r) => selected?.has(r.id));
  return (
    <div class="c-table-wrap">
      <table class="c-table">
        <caption class="visually-hidden">{t.list.caption}</caption>
        <thead>
          <tr>
            {selected && (
              <th scope="col">
                <input type="checkbox" aria-label={t.list.selectPage} checked={allOnPage} onChange={(e) => togglePage?.((e.target as HTMLInputElement).checked)} />
              </th>
            )}
            {set ? <SortHeader label={t.list.colDate} f={f} set={set} /> : <th scope="col">{t.list.colDate}</th>}
            <th scope="col">{t.list.colText}</th>
            <th scope="col">{t.list.colCommune}</th>
            <th scope="col">{t.list.colKind}</th>
            <th scope="col">{t.list.colThemes}</th>
            <th scope="col">{t.list.colStatus}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id} aria-selected={selected ? selected.has(c.id) : undefined}>
              {selected && (
                <td>
                  <input type="checkbox" aria-label={t.list.selectRow(excerpt(c.text, 40))} checked={selected.has(c.id)} onChange={() => toggle?.(c.id)} />
                </td>
              )}
              <td class="c-nowrap">
                <time dateTime={c.created_at}>{t.dayShort(c.created_at)}</time>
              </td>
              <td class="c-textcol">
                <Link href={`/console/contributions/${c.id}`}>{excerpt(c.text, 90)}</Link>
              </td>
              <td>{placeLabel(c, ctx.names)}</td>
              <td>{kindLabel(c.kind)}</td>
              <td>{themesOf(c).map(themeLabel).join(', ')}</td>
              <td>
                <span class={`c-status s-${statusOf(c)}`}>{statusLabel(statusOf(c))}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Pages({ f, total, set }: { f: ListFilter; total: number; set: (f: ListFilter) => void }) {
  const n = pageCount(total, f.per_page);
  return (
    <nav class="c-pages" aria-label={t.list.pagination}>
      <button type="button" disabled={f.page <= 1} onClick={() => set({ ...f, page: f.page - 1 })}>
        {t.list.prev}
      </button>
      <span>{t.list.pageOf(Math.min(f.page, n), n)}</span>
      <button type="button" disabled={f.page >= n} onClick={() => set({ ...f, page: f.page + 1 })}>
        {t.list.next}
      </button>
      <label for="per-page">{t.list.perPage}</label>
      <select id="per-page" value={String(f.per_page)} onChange={(e) => set({ ...f, per_page: Number((e.target as HTMLSelectElement).value), page: 1 })}>
        {[25, 50, 100, 200].map((v) => (
          <option key={v} value={String(v)}>{v}</option>
        ))}
      </select>
    </nav>
  );
}

export function ListScreen({ ctx, search }: { ctx: ConsoleCtx; search: string }) {
  const f = searchToFilter(search);
  const key = filterQuery(f).toString();
  const set = (nf: ListFilter) => ctx.navigate(listHref(nf));
  // The answer carries the query it answers: while a new one loads, the
  // previous rows stay, and the count keeps naming the search they are for.
  const [page, reload] = useAsync(async () => ({ q: f.q, result: await ctx.api.list(f, true) }), [key]);
  const [q, setQ] = useState(f.q);
  useEffect(() => setQ(f.q), [f.q]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [all, setAll] = useState(false);
  const clear = () => {
    setSelected(new Set());
    setAll(false);
  };
  // A new filter is a new selection (never act on rows no longer shown).
  useEffect(clear, [filterQuery(f, false).toString()]);
  const data = page.state === 'ok' ? page.data.result : undefined;
  const shownQ = page.state === 'ok' ? page.data.q : '';
  const countRef = useRef<HTMLParagraphElement>(null);

  return (
    <section class="c-list" aria-labelledby="list-title">
      <h1 id="list-title">{t.list.title}</h1>
      <form
        role="search"
        class="c-search"
        onSubmit={(e) => {
          e.preventDefault();
          set({ ...f, q: q.trim(), page: 1, sort: q.trim() && f.sort === 'newest' ? f.sort : f.sort });
        }}
      >
        <label for="q">{t.list.search}</label>
        <input id="q" type="search" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary">
          {t.list.searchSubmit}
        </button>
        <label for="sort">{t.list.sort}</label>
        <select id="sort" value={f.sort} onChange={(e) => set({ ...f, sort: (e.target as HTMLSelectElement).value as ListFilter['sort'], page: 1 })}>
          <option value="newest">{t.list.sortNewest}</option>
          <option value="oldest">{t.list.sortOldest}</option>
          <option value="relevance">{t.list.sortRelevance}</option>
        </select>
      </form>
      <div class="c-list-body">
        <Filters ctx={ctx} f={f} page={data} set={set} />
        <div class="c-results">
          <p class="c-result-count" id="result-count" role="status" ref={countRef} data-total={data ? String(data.total) : undefined}>
            {data ? (shownQ ? t.list.resultsFor(data.total, shownQ) : t.list.results(data.total)) : page.state === 'loading' ? t.loading : ''}
          </p>
          {data && <ExportButtons ctx={ctx} f={f} />}
          {data && (
            <p class="c-links">
              <Link href={`/console/carte${filterToSearch({ ...f, page: 1 })}`}>{t.list.onMap}</Link>
              {' · '}
              <Link href={`/console/statistiques${filterToSearch({ ...f, page: 1 })}`}>{t.list.inStats}</Link>
            </p>
          )}
          {data && (
            <Bulk ctx={ctx} f={f} total={data.total} selected={selected} all={all} clear={clear} reload={reload} />
          )}
          {ctx.officer && data && selected.size > 0 && !all && data.items.every((r) => selected.has(r.id)) && data.total > data.items.length && (
            <p>
              <button type="button" onClick={() => setAll(true)}>
                {t.list.selectAllFilter(data.total)}
              </button>
            </p>
          )}
          {page.state === 'loading' && !data && <Loading />}
          {page.state === 'error' && <Failure message={page.message} retry={reload} />}
          {data && data.items.length === 0 && <p class="state state-empty">{t.list.empty}</p>}
          {data && data.items.length > 0 && (
            <>
              <ResultsTable
                ctx={ctx}
                rows={data.items}
                f={f}
                set={set}
                selected={ctx.officer ? selected : undefined}
                toggle={(id) => {
                  const s = new Set(selected);
                  if (s.has(id)) s.delete(id);
                  else s.add(id);
                  setAll(false);
                  setSelected(s);
                }}
                togglePage={(on) => {
                  const s = new Set(selected);
                  for (const r of data.items) {
                    if (on) s.add(r.id);
                    else s.delete(r.id);
                  }
                  setAll(false);
                  setSelected(s);
                }}
              />
              <Pages f={f} total={data.total} set={set} />
            </>
          )}
        </div>
      </div>
    </section>
  );
}
