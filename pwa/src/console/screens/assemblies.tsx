// Open assemblies: an agenda prepared from topics, and its dossier printed
// with the print stylesheet (topics, figures, quotes).
import { useState } from 'preact/hooks';
import { frConsole as t } from '../../i18n/fr-console';
import { items, type Topic } from '../api';
import { errorMessage, topicStatusLabel } from '../format';
import { announce, type ConsoleCtx, FormError, Show, useAsync } from '../ui';

interface Assembly {
  id: string;
  name?: string;
  title?: string;
  date?: string;
  held_on?: string;
  topics?: string[];
  agenda?: string[];
}

export function AssembliesScreen({ ctx }: { ctx: ConsoleCtx }) {
  const [list, reload] = useAsync(async () => items<Assembly>((await ctx.api.assemblies()) as Assembly[]), []);
  const [topics] = useAsync(async () => items<Topic>(await ctx.api.topics()), []);
  const [name, setName] = useState('');
  const [date, setDate] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [err, setErr] = useState('');
  const byId = new Map((topics.state === 'ok' ? topics.data : []).map((tp) => [tp.id, tp]));
  return (
    <section aria-labelledby="asm-title" class="c-assemblies">
      <h1 id="asm-title">{t.assemblies.title}</h1>
      <p class="no-print">
        <button type="button" onClick={() => window.print()}>
          {t.assemblies.print}
        </button>
      </p>
      <Show value={list} retry={reload}>
        {(as) =>
          as.length === 0 ? (
            <p class="state state-empty">{t.assemblies.empty}</p>
          ) : (
            <div>
              {as.map((a) => (
                <article key={a.id} class="c-card c-dossier" aria-labelledby={`asm-${a.id}`}>
                  <h2 id={`asm-${a.id}`}>
                    {t.assemblies.dossier(a.name ?? a.title ?? '')} — {t.day(a.date ?? a.held_on)}
                  </h2>
                  <ol>
                    {(a.topics ?? a.agenda ?? []).map((id) => {
                      const tp = byId.get(id);
                      return (
                        <li key={id}>
                          <h3>{tp?.title ?? id}</h3>
                          {tp && <p>{topicStatusLabel(tp.status)}</p>}
                          {tp?.summary && <p>{tp.summary}</p>}
                          {tp?.quotes?.map((q, i) => (
                            <blockquote class="c-quote" key={i}>
                              « {q.excerpt} »
                            </blockquote>
                          ))}
                        </li>
                      );
                    })}
                  </ol>
                </article>
              ))}
            </div>
          )
        }
      </Show>
      <form
        class="c-card no-print"
        aria-labelledby="asm-new"
        onSubmit={(e) => {
          e.preventDefault();
          if (!name.trim() || !date) return;
          setErr('');
          ctx.api
            .createAssembly({ name: name.trim(), date, topics: chosen })
            .then(() => {
              announce(t.assemblies.created);
              setName('');
              setChosen([]);
              reload();
            })
            .catch((e2: unknown) => setErr(errorMessage(e2, t.errorSave)));
        }}
      >
        <h2 id="asm-new">{t.assemblies.create}</h2>
        <div class="c-field">
          <label for="asm-name">{t.assemblies.name}</label>
          <input id="asm-name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        <div class="c-field">
          <label for="asm-date">{t.assemblies.date}</label>
          <input id="asm-date" type="date" required value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} />
        </div>
        <fieldset class="c-checks">
          <legend>{t.assemblies.agenda}</legend>
          {(topics.state === 'ok' ? topics.data : []).map((tp) => (
            <div class="c-check" key={tp.id}>
              <input
                type="checkbox"
                id={`asm-t-${tp.id}`}
                checked={chosen.includes(tp.id)}
                onChange={(e) => setChosen((e.target as HTMLInputElement).checked ? [...chosen, tp.id] : chosen.filter((x) => x !== tp.id))}
              />
              <label for={`asm-t-${tp.id}`}>{tp.title}</label>
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
