// Statistics: by theme, commune, week, kind, status; respondents' diversity
// with masked cells (« < 5 »). Each chart is a hand-made SVG bar chart with
// a text alternative, followed by its table; each table exports as CSV.
import { fr } from '../../i18n/fr';
import { frConsole as t } from '../../i18n/fr-console';
import { searchToFilter } from '../api';
import { allRows, type Cell, type Counts, countsBy, readCounts } from '../counts';
import { cell, cellValue, kindLabel, statusLabel, themeLabel } from '../format';
import { type ConsoleCtx, Failure, Loading, useAsync } from '../ui';

export function csvOf(title: string, rows: [string, Cell][], label: (k: string) => string): string {
  const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
  return [`${q(t.stats.colValue)};${q(title)}`, ...rows.map(([k, v]) => `${q(label(k))};${q(cell(v))}`)].join('\r\n') + '\r\n';
}

function saveCsv(name: string, text: string) {
  const url = URL.createObjectURL(new Blob(['\ufeff' + text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function Chart({ id, title, rows, label }: { id: string; title: string; rows: Counts; label: (k: string) => string }) {
  const max = Math.max(1, ...rows.map(([, v]) => cellValue(v)));
  const barH = 22;
  const W = 560;
  const labelW = 200;
  const H = rows.length * barH + 8;
  return (
    <section class="c-card c-chart" aria-labelledby={`chart-${id}`}>
      <h2 id={`chart-${id}`}>{title}</h2>
      {rows.length === 0 ? (
        <p class="state state-empty">{t.stats.empty}</p>
      ) : (
        <>
          <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t.stats.chartAlt(title, rows.length)}>
            <title>{t.stats.chartAlt(title, rows.length)}</title>
            {rows.map(([k, v], i) => {
              const w = ((W - labelW - 60) * cellValue(v)) / max;
              const y = 4 + i * barH;
              return (
                <g key={k} aria-hidden="true">
                  <text x={labelW - 6} y={y + 15} text-anchor="end" class="c-chart-label">
                    {label(k).slice(0, 28)}
                  </text>
                  <rect x={labelW} y={y + 3} width={Math.max(0, w)} height={barH - 6} class="c-bar" />
                  <text x={labelW + w + 6} y={y + 15} class="c-chart-value">
                    {cell(v)}
                  </text>
                </g>
              );
            })}
          </svg>
          <table class="c-table">
            <caption class="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{t.stats.colValue}</th>
                <th scope="col" class="num">
                  {t.stats.colCount}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{label(k)}</th>
                  <td class="num">{cell(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" onClick={() => saveCsv(`statistiques-${id}.csv`, csvOf(title, rows, label))}>
            {t.stats.exportTable} — {title}
          </button>
        </>
      )}
    </section>
  );
}

const RESPONDENT_DIMS = ['age', 'gender', 'relation', 'district'] as const;

export function StatsScreen({ ctx, search }: { ctx: ConsoleCtx; search: string }) {
  const f = searchToFilter(search);
  const dims = ['theme', 'commune', 'week', 'kind', 'status'] as const;
  const [data, reload] = useAsync(async () => {
    let rows: ReturnType<typeof allRows> | undefined;
    const once = () => (rows ??= allRows(ctx.api, f));
    const out: Record<string, Counts | null> = {};
    for (const d of dims) out[d] = await countsBy(ctx.api, f, d, once);
    const resp: Record<string, Counts | null> = {};
    for (const d of RESPONDENT_DIMS) {
      try {
        resp[d] = readCounts(await ctx.api.stats('respondents', d, f));
      } catch {
        // missing endpoint, or a filter the server refuses for respondents
        // (one that could single someone out): that chart says so alone
        resp[d] = null;
      }
    }
    return { out, resp };
  }, [search]);
  const labels: Record<string, (k: string) => string> = {
    theme: themeLabel,
    commune: (k) => ctx.names.get(k) ?? k,
    week: (k) => k.replace('-W', ', semaine '),
    kind: kindLabel,
    status: statusLabel,
  };
  return (
    <section aria-labelledby="stats-title">
      <h1 id="stats-title">{t.stats.title}</h1>
      {data.state === 'loading' && <Loading />}
      {data.state === 'error' && <Failure message={data.message} retry={reload} />}
      {data.state === 'ok' && (
        <div class="c-charts">
          {dims.map((d) => {
            const rows = data.data.out[d];
            if (!rows) return <p key={d}>{t.notAvailable}</p>;
            const sorted = d === 'week' ? [...rows].sort((a, b) => a[0].localeCompare(b[0])) : [...rows].sort((a, b) => cellValue(b[1]) - cellValue(a[1]));
            return <Chart key={d} id={d} title={t.stats.by[d]!} rows={sorted} label={labels[d]!} />;
          })}
          <section class="c-card" aria-labelledby="resp-title">
            <h2 id="resp-title">{t.stats.respondents}</h2>
            <p>{t.stats.maskedNote}</p>
          </section>
          {RESPONDENT_DIMS.map((d) => {
            const rows = data.data.resp[d];
            if (!rows)
              return (
                <p key={d}>
                  {t.stats.respondentsBy[d]} : {t.stats.respondentsUnavailable}
                </p>
              );
            return <Chart key={d} id={`resp-${d}`} title={`${t.stats.respondents} — ${t.stats.respondentsBy[d]}`} rows={rows} label={(k) => fr.respondent[d][k] ?? k} />;
          })}
        </div>
      )}
    </section>
  );
}
