// Topics (« sujets »): a board by status, a topic's page (its contributions,
// figures, quotes chosen from the texts, its communes on the map, its history
// in words) and « Transmettre »: a native <dialog> that gives the answer link.
import { useEffect, useRef, useState } from 'preact/hooks';
import { frConsole as t } from '../../i18n/fr-console';
import { type Contribution, EMPTY_FILTER, type Forward, type ForwardReply, items, type Recipient, type Topic } from '../api';
import { errorMessage, isMissingEndpoint, kindLabel, placeLabel, TOPIC_STATUSES, topicEventLine, topicStatusLabel } from '../format';
import { areas, type Areas, projector } from '../geo';
import { announce, type ConsoleCtx, Failure, FormError, Link, Loading, Show, useAsync } from '../ui';
import { ResultsTable } from './list';

/** Topics grouped by status, in board order (pure, unit-tested). */
export function board(topics: Topic[]): Record<string, Topic[]> {
  const out: Record<string, Topic[]> = {};
  for (const s of TOPIC_STATUSES) out[s] = [];
  for (const tp of topics) (out[tp.status] ??= []).push(tp);
  for (const s of Object.keys(out)) out[s]!.sort((a, b) => (b.updated_at ?? b.created_at).localeCompare(a.updated_at ?? a.created_at));
  return out;
}

/** Figures of a topic from its contributions (when the API gives none). */
export function figures(rows: Contribution[]): { total: number; communes: [string, number][]; kinds: [string, number][] } {
  const communes = new Map<string, number>();
  const kinds = new Map<string, number>();
  for (const c of rows) {
    const code = c.geo?.commune ?? '';
    if (code) communes.set(code, (communes.get(code) ?? 0) + 1);
    kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { total: rows.length, communes: sorted(communes), kinds: sorted(kinds) };
}

function CreateTopic({ ctx }: { ctx: ConsoleCtx }) {
  const [title, setTitle] = useState('');
  const [summary, setSummary] = useState('');
  const [err, setErr] = useState('');
  return (
    <form
      class="c-card"
      aria-labelledby="create-topic-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!title.trim()) return;
        setErr('');
        ctx.api
          .createTopic({ title: title.trim(), summary: summary.trim() })
          .then((tp) => {
            announce(t.topics.created(tp.title));
            ctx.navigate(`/console/sujets/${tp.id}`);
          })
          .catch((e2: unknown) => setErr(errorMessage(e2, t.errorSave)));
      }}
    >
      <h2 id="create-topic-title">{t.topics.create}</h2>
      <div class="c-field">
        <label for="topic-title">{t.topics.topicTitle}</label>
        <input id="topic-title" required value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
      </div>
      <div class="c-field">
        <label for="topic-summary">{t.topics.summary}</label>
        <textarea id="topic-summary" rows={2} value={summary} onInput={(e) => setSummary((e.target as HTMLTextAreaElement).value)} />
      </div>
      {err && <FormError message={err} />}
      <button type="submit" class="primary">
        {t.topics.createSubmit}
      </button>
    </form>
  );
}

export function TopicsScreen({ ctx }: { ctx: ConsoleCtx }) {
  const [topics, reload] = useAsync(async () => items<Topic>(await ctx.api.topics()), []);
  return (
    <section aria-labelledby="topics-title">
      <h1 id="topics-title">{t.topics.title}</h1>
      <Show value={topics} retry={reload}>
        {(list) => {
          const b = board(list);
          return (
            <div class="c-board" role="list" aria-label={t.topics.board}>
              {TOPIC_STATUSES.map((s) => (
                <section role="listitem" class="c-column" key={s} aria-labelledby={`col-${s}`}>
                  <h2 id={`col-${s}`}>
                    {topicStatusLabel(s)} ({b[s]!.length})
                  </h2>
                  {b[s]!.length === 0 ? (
                    <p class="state state-empty">{t.topics.empty}</p>
                  ) : (
                    <ul>
                      {b[s]!.map((tp) => (
                        <li key={tp.id} class="c-topic-card">
                          <Link href={`/console/sujets/${tp.id}`}>{tp.title}</Link>
                          {tp.figures && <p class="c-meta">{t.topics.count(tp.figures.count)}</p>}
                        </li>
                      ))}
                    </ul>
                  )}
                </section>
              ))}
            </div>
          );
        }}
      </Show>
      {ctx.officer && <CreateTopic ctx={ctx} />}
    </section>
  );
}

function ForwardDialog({ ctx, topic, open, close, done }: { ctx: ConsoleCtx; topic: Topic; open: boolean; close: () => void; done: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [recipients] = useAsync(async () => items<Recipient>(await ctx.api.recipients()), [open]);
  const [recipient, setRecipient] = useState('');
  const [message, setMessage] = useState('');
  const [due, setDue] = useState(() => new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10));
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const [reply, setReply] = useState<ForwardReply | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  const submit = async () => {
    setErr('');
    if (!recipient || !due) {
      setErr(t.forward.required);
      return;
    }
    setBusy(true);
    try {
      const r = await ctx.api.forward(topic.id, { recipient, message, due_on: due });
      setReply(r);
      announce(t.forward.done);
      done();
    } catch (e) {
      setErr(isMissingEndpoint(e) ? t.notAvailable : errorMessage(e, t.errorSave));
    } finally {
      setBusy(false);
    }
  };
  const list = recipients.state === 'ok' ? recipients.data.filter((r) => r.active !== false) : [];
  const answerUrl = reply ? new URL(reply.answer_url, location.origin).href : '';
  return (
    <dialog ref={ref} class="c-dialog" aria-labelledby="fwd-title" onClose={close}>
      <h2 id="fwd-title">{t.forward.title}</h2>
      <p>{topic.title}</p>
      {reply ? (
        <div>
          <p role="status">{t.forward.done}</p>
          <div class="c-field">
            <label for="fwd-link">{t.forward.link}</label>
            <input id="fwd-link" readOnly value={answerUrl} onFocus={(e) => (e.target as HTMLInputElement).select()} />
          </div>
          <p>{reply.emailed ? t.forward.emailed : t.forward.notEmailed}</p>
          <button
            type="button"
            onClick={() => {
              void navigator.clipboard?.writeText(answerUrl).then(
                () => announce(t.forward.copied),
                () => undefined,
              );
            }}
          >
            {t.forward.copy}
          </button>
          <button type="button" onClick={close}>
            {t.close}
          </button>
        </div>
      ) : (
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          {recipients.state === 'loading' && <Loading />}
          {recipients.state === 'error' && <Failure message={recipients.message} />}
          {recipients.state === 'ok' && list.length === 0 && (
            <p>
              {t.forward.noRecipient} <Link href="/console/destinataires">{t.recipients.title}</Link>
            </p>
          )}
          <div class="c-field">
            <label for="fwd-recipient">{t.forward.recipient}</label>
            <select id="fwd-recipient" value={recipient} onChange={(e) => setRecipient((e.target as HTMLSelectElement).value)}>
              <option value="">{t.forward.chooseRecipient}</option>
              {list.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                  {r.function ? ` — ${r.function}` : ''}
                </option>
              ))}
            </select>
          </div>
          <div class="c-field">
            <label for="fwd-message">{t.forward.message}</label>
            <textarea id="fwd-message" rows={4} value={message} onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)} />
          </div>
          <div class="c-field">
            <label for="fwd-due">{t.forward.dueOn}</label>
            <input id="fwd-due" type="date" value={due} onInput={(e) => setDue((e.target as HTMLInputElement).value)} />
          </div>
          {err && <FormError message={err} />}
          <div class="c-actions">
            <button type="submit" class="primary" disabled={busy}>
              {busy ? t.forward.busy : t.forward.submit}
            </button>
            <button type="button" onClick={close}>
              {t.cancel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

export function CommunesMap({ all, counts, label }: { all: Areas; counts: Map<string, number>; label: string }) {
  const W = 360;
  const H = 300;
  const coms = { type: 'FeatureCollection' as const, features: all.features.filter((f) => f.properties.type === 'COM') };
  const p = projector(coms, W, H);
  return (
    <svg class="c-placemap" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      <title>{label}</title>
      {coms.features.map((f) => (
        <path key={f.properties.code} d={p.path(f)} class={counts.get(f.properties.code) ? 'area focus' : 'area'} />
      ))}
    </svg>
  );
}

function QuoteForm({ ctx, topic, rows, added }: { ctx: ConsoleCtx; topic: Topic; rows: Contribution[]; added: () => void }) {
  const [cid, setCid] = useState(rows[0]?.id ?? '');
  const [text, setText] = useState('');
  const [err, setErr] = useState('');
  const chosen = rows.find((r) => r.id === cid);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const sel = window.getSelection()?.toString().trim();
        const excerptText = (text || sel || '').trim();
        if (!cid || !excerptText) return;
        setErr('');
        ctx.api
          .addQuote(topic.id, { contribution: cid, excerpt: excerptText })
          .then(() => {
            setText('');
            announce(t.topics.quoteAdded);
            added();
          })
          .catch((e2: unknown) => setErr(errorMessage(e2, t.errorSave)));
      }}
    >
      <div class="c-field">
        <label for="quote-from">{t.detail.text}</label>
        <select id="quote-from" value={cid} onChange={(e) => setCid((e.target as HTMLSelectElement).value)}>
          {rows.map((r) => (
            <option key={r.id} value={r.id}>
              {r.text.slice(0, 60)}
            </option>
          ))}
        </select>
      </div>
      {chosen && <blockquote class="c-quote">{chosen.text}</blockquote>}
      <div class="c-field">
        <label for="quote-text">{t.topics.quoteExcerpt}</label>
        <textarea id="quote-text" rows={2} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      </div>
      {err && <FormError message={err} />}
      <button type="submit">{t.topics.addQuote}</button>
    </form>
  );
}

/** The answers written back into the contributions (what a commune sees of a topic's forwards). */
export function answersOf(rows: Contribution[]): { to: string; text: string; at?: string | null }[] {
  const seen = new Set<string>();
  const out: { to: string; text: string; at?: string | null }[] = [];
  for (const c of rows)
    for (const f of c.follow_up)
      if (f.answer && !seen.has(f.to + f.answer)) {
        seen.add(f.to + f.answer);
        out.push({ to: f.to, text: f.answer, at: f.answered_at });
      }
  return out;
}

function CommuneAnswers({ rows }: { rows: Contribution[] }) {
  const list = answersOf(rows);
  if (!list.length) return <p>{t.topics.noAnswer}</p>;
  return (
    <ul class="c-answers">
      {list.map((a, n) => (
        <li key={n}>
          <p class="c-meta">{t.topics.answerBy(a.to, t.date(a.at))}</p>
          <blockquote class="c-quote">{a.text}</blockquote>
        </li>
      ))}
    </ul>
  );
}

export function TopicScreen({ ctx, id }: { ctx: ConsoleCtx; id: string }) {
  const [topic, reload] = useAsync(() => ctx.api.topic(id), [id]);
  const [rows, reloadRows] = useAsync(async () => (await ctx.api.list({ ...EMPTY_FILTER, topic: id, per_page: 200 })).items, [id]);
  // The officer reads the forwards; a commune, the answers brought back to its contributions.
  const [forwards, reloadF] = useAsync(async () => (ctx.officer ? items<Forward>(await ctx.api.forwards('all')).filter((f) => f.topic === id) : []), [id]);
  const [geo] = useAsync(areas, []);
  const [forwarding, setForwarding] = useState(false);
  const [err, setErr] = useState('');
  if (topic.state === 'loading') return <Loading />;
  if (topic.state === 'error')
    return (
      <section>
        <h1>{t.topics.title}</h1>
        <Failure message={topic.message} retry={reload} />
      </section>
    );
  const tp = topic.data;
  // Only rows actually in this topic (the topic lists its members' ids).
  const ids = new Set(tp.contributions ?? []);
  const members = rows.state === 'ok' ? rows.data.filter((c) => ids.size === 0 || ids.has(c.id)) : [];
  const fig = figures(members);
  const counts = new Map(fig.communes);
  return (
    <section aria-labelledby="topic-title" class="c-topic">
      <p>
        <Link href="/console/sujets">{t.topics.title}</Link>
      </p>
      <h1 id="topic-title">{tp.title}</h1>
      <p>
        <span class={`c-status ts-${tp.status}`} id="topic-status">
          {topicStatusLabel(tp.status)}
        </span>
      </p>
      {tp.summary && <p>{tp.summary}</p>}
      {ctx.officer && (
        <div class="c-actions">
          <button type="button" class="primary" onClick={() => setForwarding(true)}>
            {t.topics.forward}
          </button>
        </div>
      )}
      {ctx.officer && <ForwardDialog
        ctx={ctx}
        topic={tp}
        open={forwarding}
        close={() => setForwarding(false)}
        done={() => {
          reload();
          reloadF();
          reloadRows();
        }}
      />}
      {err && <FormError message={err} />}
      <div class="c-detail-grid">
        <section class="c-card" aria-labelledby="fig-title">
          <h2 id="fig-title">{t.topics.figures}</h2>
          <dl class="c-dl">
            <dt>{t.topics.figContributions}</dt>
            <dd>{tp.figures?.count ?? fig.total}</dd>
            <dt>{t.topics.figCommunes}</dt>
            <dd>{fig.communes.map(([c, n]) => `${ctx.names.get(c) ?? c} (${n})`).join(', ') || t.none}</dd>
            <dt>{t.topics.figKinds}</dt>
            <dd>{fig.kinds.map(([k, n]) => `${kindLabel(k)} (${n})`).join(', ') || t.none}</dd>
          </dl>
          {geo.state === 'ok' && <CommunesMap all={geo.data} counts={counts} label={`${t.topics.communesMap} : ${fig.communes.map(([c]) => ctx.names.get(c) ?? c).join(', ') || t.none}`} />}
        </section>
        <section class="c-card" aria-labelledby="answers-title">
          <h2 id="answers-title">{t.topics.answers}</h2>
          {forwards.state === 'loading' && <Loading />}
          {forwards.state === 'error' && <Failure message={forwards.message} retry={reloadF} />}
          {!ctx.officer && <CommuneAnswers rows={members} />}
          {ctx.officer && forwards.state === 'ok' &&
            (forwards.data.length === 0 ? (
              <p>{t.topics.noAnswer}</p>
            ) : (
              <ul class="c-answers">
                {forwards.data.map((f) => (
                  <li key={f.id}>
                    <p class="c-meta">{t.topics.forwardedTo(f.recipient_name, t.day(f.sent_at), t.day(f.due_on))}</p>
                    {f.answer ? (
                      <>
                        <p class="c-meta">{t.topics.answerBy(f.answer.author_name, t.date(f.answer.answered_at))}</p>
                        <blockquote class="c-quote">{f.answer.text}</blockquote>
                      </>
                    ) : (
                      <p>{t.topics.waitingAnswer}</p>
                    )}
                  </li>
                ))}
              </ul>
            ))}
        </section>
        <section class="c-card" aria-labelledby="quotes-title">
          <h2 id="quotes-title">{t.topics.quotes}</h2>
          {tp.quotes?.length ? (
            <ul>
              {tp.quotes.map((q, n) => (
                <li key={n}>
                  <blockquote class="c-quote">« {q.excerpt} »</blockquote>
                </li>
              ))}
            </ul>
          ) : (
            <p>{t.topics.noQuotes}</p>
          )}
          {ctx.officer && members.length > 0 && <QuoteForm ctx={ctx} topic={tp} rows={members} added={reload} />}
        </section>
      </div>
      <section aria-labelledby="members-title">
        <h2 id="members-title">{t.topics.contributions}</h2>
        {rows.state === 'loading' && <Loading />}
        {rows.state === 'error' && <Failure message={rows.message} retry={reloadRows} />}
        {rows.state === 'ok' && members.length === 0 && <p>{t.topics.noContributions}</p>}
        {members.length > 0 && (
          <>
            <ResultsTable ctx={ctx} rows={members} f={EMPTY_FILTER} />
            {ctx.officer && <ul class="c-detach">
              {members.map((c) => (
                <li key={c.id}>
                  <button
                    type="button"
                    onClick={() =>
                      ctx.api.detach(id, c.id).then(
                        () => {
                          announce(t.topics.detached);
                          reloadRows();
                          reload();
                        },
                        (e: unknown) => setErr(errorMessage(e, t.errorSave)),
                      )
                    }
                  >
                    {t.topics.detach} : {placeLabel(c, ctx.names)} — {c.text.slice(0, 40)}
                  </button>
                </li>
              ))}
            </ul>}
          </>
        )}
      </section>
      <section aria-labelledby="thist-title">
        <h2 id="thist-title">{t.topics.historyTitle}</h2>
        <ol class="c-history">
          {(tp.history ?? []).map((e, n) => (
            <li key={n}>{topicEventLine(e, new Map([[ctx.session.user.id, ctx.session.user.name]]))}</li>
          ))}
        </ol>
      </section>
    </section>
  );
}
