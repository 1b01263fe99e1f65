// Open assemblies: an agenda prepared from topics, and its dossier (topics,
// figures, quotes, communes on the map) printed with the print stylesheet.
import { useState } from 'preact/hooks';
import { frConsole as t } from '../../i18n/fr-console';
import { items, type Topic } from '../api';
import { errorMessage, kindLabel, topicStatusLabel } from '../format';
import { areas } from '../geo';
import { announce, type ConsoleCtx, FormError, Link, Show, useAsync } from '../ui';
import { CommunesMap } from './topics';

export interface Assembly {
  id: string;
  title: string;
  date: string;
  place: string;
  commune?: string | null;
  agenda: { topic: string; title?: string | null; minutes?: string | null }[];
}

export interface AssemblyDossier extends Omit<Assembly, 'agenda'> {
  agenda: { position: number; title: string; minutes?: string | null; topic: Topic }[];
}

export function AssembliesScreen({ ctx }: { ctx: ConsoleCtx }) {
  const [list, reload] = useAsync(async () => items<Assembly>((await ctx.api.assemblies()) as Assembly[]), []);
  const [topics] = useAsync(async () => items<Topic>(await ctx.api.topics()), []);
  const [title, setTitle] = useState('');
  const [date, setDate] = useState('');
  const [place, setPlace] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [err, setErr] = useState('');
  return (
    <section aria-labelledby="asm-title" class="c-assemblies">
      <h1 id="asm-title">{t.assemblies.title}</h1>
      <Show value={list} retry={reload}>
        {(as) =>
          as.length === 0 ? (
            <p class="state state-empty">{t.assemblies.empty}</p>
          ) : (
            <table class="c-table">
              <caption class="visually-hidden">{t.assemblies.title}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.assemblies.name}</th>
                  <th scope="col">{t.assemblies.date}</th>
                  <th scope="col">{t.assemblies.place}</th>
                  <th scope="col" class="num">
                    {t.assemblies.agendaCount}
                  </th>
                </tr>
              </thead>
              <tbody>
                {as.map((a) => (
                  <tr key={a.id}>
                    <th scope="row">
                      <Link href={`/console/assemblees/${a.id}`}>{a.title}</Link>
                    </th>
                    <td>{t.day(a.date)}</td>
                    <td>{a.place}</td>
                    <td class="num">{a.agenda.length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
      <form
        class="c-card no-print"
        aria-labelledby="asm-new"
        onSubmit={(e) => {
          e.preventDefault();
          if (!title.trim() || !date || !place.trim()) {
            setErr(t.assemblies.required);
            return;
          }
          setErr('');
          ctx.api
            .createAssembly({ title: title.trim(), date, place: place.trim(), agenda: chosen.map((topic) => ({ topic })) })
            .then(() => {
              announce(t.assemblies.created);
              setTitle('');
              setPlace('');
              setChosen([]);
              reload();
            })
            .catch((e2: unknown) => setErr(errorMessage(e2, t.errorSave)));
        }}
      >
        <h2 id="asm-new">{t.assemblies.create}</h2>
        <div class="c-field">
          <label for="asm-name">{t.assemblies.name}</label>
          <input id="asm-name" value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
        </div>
        <div class="c-field">
          <label for="asm-date">{t.assemblies.date}</label>
          <input id="asm-date" type="date" value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} />
        </div>
        <div class="c-field">
          <label for="asm-place">{t.assemblies.place}</label>
          <input id="asm-place" value={place} onInput={(e) => setPlace((e.target as HTMLInputElement).value)} />
        </div>
        <fieldset class="c-checks">
          <legend>{t.assemblies.agenda}</legend>
          {topics.state === 'ok' && topics.data.length === 0 && <p>{t.topics.empty}</p>}
          {(topics.state === 'ok' ? topics.data : []).map((tp) => (
            <div class="c-check" key={tp.id}>
              <input
                type="checkbox"
                id={`asm-t-${tp.id}`}
                checked={chosen.includes(tp.id)}
                onChange={(e) => setChosen((e.target as HTMLInputElement).checked ? [...chosen, tp.id] : chosen.filter((x) => x !== tp.id))}
              />
              <label for={`asm-t-${tp.id}`}>
                {tp.title} ({topicStatusLabel(tp.status)})
              </label>
            </div>
          ))}
        </fieldset>
        {err && <FormError message={err} />}
        <button type="submit" class="primary">
          {t.assemblies.createSubmit}
        </button>
      </form>
    </section>
  );
}

/** An assembly's dossier, made to be printed. */
export function AssemblyScreen({ ctx, id }: { ctx: ConsoleCtx; id: string }) {
  const [d, reload] = useAsync(() => ctx.api.assembly(id) as Promise<AssemblyDossier>, [id]);
  const [geo] = useAsync(areas, []);
  return (
    <section aria-labelledby="asm-d-title" class="c-dossier-page">
      <p class="no-print">
        <Link href="/console/assemblees">{t.assemblies.title}</Link>
      </p>
      <Show value={d} retry={reload}>
        {(a) => (
          <>
            <h1 id="asm-d-title">{t.assemblies.dossier(a.title)}</h1>
            <p>
              {t.day(a.date)} — {a.place}
            </p>
            <p class="no-print">
              <button type="button" onClick={() => window.print()}>
                {t.assemblies.print}
              </button>
            </p>
            <ol class="c-agenda">
              {a.agenda.map((item) => {
                const fig = item.topic.figures;
                const communes = new Map(Object.entries(fig?.by_commune ?? {}));
                return (
                  <li key={item.position} class="c-card c-dossier">
                    <h2>{item.title || item.topic.title}</h2>
                    <p>
                      {topicStatusLabel(item.topic.status)}
                      {fig && ` · ${t.topics.count(fig.count)}`}
                    </p>
                    {item.topic.summary && <p class="c-pre">{item.topic.summary}</p>}
                    {fig && (
                      <p>
                        {[...communes.entries()].map(([c, n]) => `${ctx.names.get(c) ?? c} (${n})`).join(', ')}
                        {Object.keys(fig.by_kind).length > 0 && ' · ' + Object.entries(fig.by_kind).map(([k, n]) => `${kindLabel(k)} : ${n}`).join(', ')}
                      </p>
                    )}
                    {item.topic.quotes?.map((q, i) => (
                      <blockquote class="c-quote" key={i}>
                        « {q.excerpt} »
                      </blockquote>
                    ))}
                    {geo.state === 'ok' && communes.size > 0 && (
                      <CommunesMap all={geo.data} counts={communes} label={`${t.topics.communesMap} : ${[...communes.keys()].map((c) => ctx.names.get(c) ?? c).join(', ')}`} />
                    )}
                    {item.minutes && <p class="c-pre">{item.minutes}</p>}
                  </li>
                );
              })}
            </ol>
          </>
        )}
      </Show>
    </section>
  );
}
