// The map: the Métropole's communes (Lyon by arrondissement) shaded by the
// number of contributions of the current filter, with a legend; each area is
// a link (click or Enter) to the list filtered on it; the same figures as a
// table. SVG from the precached outlines (d3-geo), no tiles.
import { frConsole as t } from '../../i18n/fr-console';
import { searchToFilter } from '../api';
import { allRows, type Counts, countsBy } from '../counts';
import { legendSteps, shade } from '../format';
import { areas, projector } from '../geo';
import { type ConsoleCtx, Failure, Loading, useAsync } from '../ui';
import { listHref } from './list';

export function MapScreen({ ctx, search }: { ctx: ConsoleCtx; search: string }) {
  const f = searchToFilter(search);
  const [geo] = useAsync(areas, []);
  const [data, reload] = useAsync(async () => {
    let rows: Promise<Awaited<ReturnType<typeof allRows>>> | undefined;
    const once = () => (rows ??= allRows(ctx.api, f));
    const [communes, arrs] = await Promise.all([countsBy(ctx.api, f, 'commune', once), countsBy(ctx.api, f, 'arrondissement', once)]);
    return { communes, arrs };
  }, [search]);

  const body = () => {
    if (geo.state !== 'ok' || data.state === 'loading') return <Loading />;
    if (data.state === 'error') return <Failure message={data.message} retry={reload} />;
    if (!data.data.communes) return <p class="state">{t.notAvailable}</p>;
    const count = new Map<string, number>();
    const put = (c: Counts | null) => c?.forEach(([k, v]) => count.set(k, v ?? 0));
    put(data.data.communes);
    put(data.data.arrs);
    const all = geo.data;
    const W = 900;
    const H = 760;
    const p = projector(all, W, H);
    const hasArr = (data.data.arrs?.length ?? 0) > 0 || ctx.session.user.commune?.startsWith('6938');
    // Lyon drawn as its arrondissements (when the figures have them), the rest as communes.
    const drawn = all.features.filter((a) => (a.properties.type === 'ARM' ? hasArr : !(hasArr && a.properties.code === '69123')));
    // A commune account sees its own territory only.
    const own = ctx.session.user.commune;
    const visible = ctx.officer ? drawn : drawn.filter((a) => a.properties.code === own || a.properties.parent === own);
    const fitted = ctx.officer ? p : projector({ type: 'FeatureCollection', features: visible.length ? visible : drawn }, W, H);
    const max = Math.max(0, ...visible.map((a) => count.get(a.properties.code) ?? 0));
    const total = data.data.communes.reduce((s, [, v]) => s + (v ?? 0), 0);
    const top = [...visible].sort((a, b) => (count.get(b.properties.code) ?? 0) - (count.get(a.properties.code) ?? 0))[0];
    const alt = t.map.alt(total, top && count.get(top.properties.code) ? t.map.top(top.properties.nom, count.get(top.properties.code)!) : '');
    const rowsFor = visible
      .map((a) => ({ code: a.properties.code, name: a.properties.nom, type: a.properties.type, n: count.get(a.properties.code) ?? 0 }))
      .sort((a, b) => b.n - a.n || a.name.localeCompare(b.name, 'fr'));
    return (
      <div class="c-map-layout">
        <figure class="c-map">
          <svg viewBox={`0 0 ${W} ${H}`} role="group" aria-label={alt} class="c-choropleth">
            <title>{alt}</title>
            {visible.map((a) => {
              const n = count.get(a.properties.code) ?? 0;
              const href = listHref({ ...f, communes: [a.properties.code], page: 1 });
              return (
                <a key={a.properties.code} href={href} data-console-link="" aria-label={t.map.areaLabel(a.properties.nom, n)}>
                  <path d={fitted.path(a)} class={`area shade-${shade(n, max)}`} data-code={a.properties.code} data-count={n}>
                    <title>{t.map.areaLabel(a.properties.nom, n)}</title>
                  </path>
                </a>
              );
            })}
          </svg>
          <figcaption>
            <h2 id="legend-title">{t.map.legend}</h2>
            <ul class="c-legend" aria-labelledby="legend-title">
              <li>
                <span class="swatch shade-0" aria-hidden="true" /> {t.map.zero}
              </li>
              {legendSteps(max).map(([lo, hi], i) => (
                <li key={i}>
                  <span class={`swatch shade-${i + 1}`} aria-hidden="true" /> {lo === hi ? lo : `${lo} – ${hi}`}
                </li>
              ))}
            </ul>
          </figcaption>
        </figure>
        <div class="c-map-table">
          <table class="c-table">
            <caption>{t.map.table}</caption>
            <thead>
              <tr>
                <th scope="col">{t.map.colArea}</th>
                <th scope="col" class="num">
                  {t.map.colCount}
                </th>
              </tr>
            </thead>
            <tbody>
              {rowsFor.map((r) => (
                <tr key={r.code}>
                  <th scope="row">
                    <a href={listHref({ ...f, communes: [r.code], page: 1 })} data-console-link="">
                      {r.name}
                    </a>
                  </th>
                  <td class="num">{t.count(r.n)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    );
  };
  return (
    <section aria-labelledby="map-title">
      <h1 id="map-title">{t.map.title}</h1>
      {body()}
    </section>
  );
}
