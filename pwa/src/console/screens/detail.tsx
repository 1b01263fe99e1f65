// One contribution: text, place on a small map, kind, themes, brackets,
// outing, status, topic, history in words, comments, the audited contact
// details (officer), and the review. A contribution the caller may not read
// (another commune's) is a plain « introuvable » page, like a wrong id.
import { useState } from 'preact/hooks';
import { fr } from '../../i18n/fr';
import { frConsole as t } from '../../i18n/fr-console';
import { ApiError } from '../../network/api';
import { type Contact, type Contribution, type HistoryEntry, items, type Topic } from '../api';
import { allowedNext, errorMessage, historyLine, kindLabel, placeLabel, statusLabel, statusOf, THEMES, themeLabel, themesOf } from '../format';
import { areas, PlaceMap } from '../geo';
import { announce, type Async, type ConsoleCtx, Failure, FormError, Link, Loading, useAsync } from '../ui';

export function NotFound() {
  return (
    <section aria-labelledby="nf-title">
      <h1 id="nf-title">{t.notFoundTitle}</h1>
      <p>{t.notFound}</p>
      <p>
        <Link href="/console/contributions">{t.backToList}</Link>
      </p>
    </section>
  );
}

function Respondent({ c }: { c: Contribution }) {
  const r = c.respondent;
  const rows: [string, string | null | undefined, Record<string, string>][] = [
    [fr.form.age, r?.age, fr.respondent.age],
    [fr.form.gender, r?.gender, fr.respondent.gender],
    [fr.form.relation, r?.relation, fr.respondent.relation],
    [fr.form.district, r?.district, fr.respondent.district],
  ];
  const set = rows.filter(([, v]) => v);
  if (!set.length) return <dd>{t.detail.noRespondent}</dd>;
  return <dd>{set.map(([k, v, labels]) => `${k} : ${labels[v!] ?? v}`).join(' · ')}</dd>;
}

function ContactBox({ ctx, id }: { ctx: ConsoleCtx; id: string }) {
  const [contact, setContact] = useState<Contact | null | 'none'>(null);
  const [err, setErr] = useState('');
  const show = async () => {
    setErr('');
    try {
      setContact(await ctx.api.contact(id));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setContact('none');
      else setErr(errorMessage(e));
    }
  };
  const erase = async () => {
    if (!confirm(t.detail.confirmDeleteContact)) return;
    try {
      await ctx.api.deleteContact(id);
      setContact('none');
      announce(t.detail.contactDeleted);
    } catch (e) {
      setErr(errorMessage(e, t.errorSave));
    }
  };
  return (
    <section class="c-card" aria-labelledby="contact-title">
      <h2 id="contact-title">{t.detail.contact}</h2>
      {contact === null && (
        <>
          <p class="c-hint">{t.detail.contactAudited}</p>
          <button type="button" onClick={() => void show()}>
            {t.detail.showContact}
          </button>
        </>
      )}
      {contact === 'none' && <p>{t.detail.noContact}</p>}
      {contact && contact !== 'none' && (
        <>
          <dl class="c-dl">
            <dt>{t.detail.contactName}</dt>
            <dd>{contact.name ?? '—'}</dd>
            <dt>{t.detail.contactPhone}</dt>
            <dd>{contact.phone ?? '—'}</dd>
            <dt>{t.detail.contactEmail}</dt>
            <dd>{contact.email ?? '—'}</dd>
          </dl>
          <button type="button" onClick={() => void erase()}>
            {t.detail.deleteContact}
          </button>
        </>
      )}
      {err && <FormError message={err} />}
    </section>
  );
}

function ReviewForm({ ctx, c, saved }: { ctx: ConsoleCtx; c: Contribution; saved: (c: Contribution) => void }) {
  const current = statusOf(c);
  const [status, setStatus] = useState(current);
  const [themes, setThemes] = useState<string[]>(themesOf(c));
  const [notes, setNotes] = useState(c.review?.notes ?? '');
  const [merged, setMerged] = useState(c.review?.merged_into ?? '');
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const options = [current, ...allowedNext(current)];
  const submit = async () => {
    setErr('');
    setBusy(true);
    try {
      const r = await ctx.api.review(c.id, { status, themes, tags: c.review?.tags ?? [], notes, merged_into: merged || null });
      announce(t.detail.reviewSaved);
      saved(r && typeof r === 'object' && 'id' in r ? r : await ctx.api.get(c.id));
    } catch (e) {
      // what was typed stays in the form
      setErr(e instanceof ApiError && e.status === 400 ? `${t.errorSave} (${e.message})` : errorMessage(e, t.errorSave));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="c-card"
      aria-labelledby="review-title"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2 id="review-title">{t.detail.review}</h2>
      <div class="c-field">
        <label for="review-status">{t.detail.newStatus}</label>
        <select id="review-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
          {options.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </div>
      <fieldset class="c-checks c-checks-inline">
        <legend>{t.detail.themes}</legend>
        {THEMES.map((th) => (
          <div class="c-check" key={th}>
            <input
              type="checkbox"
              id={`rv-${th}`}
              checked={themes.includes(th)}
              onChange={(e) => setThemes((e.target as HTMLInputElement).checked ? [...themes, th] : themes.filter((x) => x !== th))}
            />
            <label for={`rv-${th}`}>{themeLabel(th)}</label>
          </div>
        ))}
      </fieldset>
      {status === 'duplicate' && (
        <div class="c-field">
          <label for="review-merged">{t.detail.mergedInto}</label>
          <input id="review-merged" value={merged} onInput={(e) => setMerged((e.target as HTMLInputElement).value)} />
        </div>
      )}
      <div class="c-field">
        <label for="review-notes">{t.detail.notes}</label>
        <textarea id="review-notes" rows={3} value={notes} onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)} />
      </div>
      {err && <FormError message={err} />}
      <button type="submit" class="primary" disabled={busy}>
        {t.detail.saveReview}
      </button>
    </form>
  );
}

/** user id → name, from the history (the only place the API names people). */
export function peopleOf(h: HistoryEntry[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of h) if (e.user_name) m.set(e.user_id, e.user_name);
  return m;
}

function TopicBox({ ctx, c, changed }: { ctx: ConsoleCtx; c: Contribution; changed: () => void }) {
  const [topics] = useAsync(async () => items<Topic>(await ctx.api.topics()), []);
  const [chosen, setChosen] = useState('');
  const [err, setErr] = useState('');
  const list = topics.state === 'ok' ? topics.data : [];
  const current = list.find((tp) => tp.contributions?.includes(c.id));
  return (
    <form
      class="c-card"
      aria-labelledby="topicbox-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!chosen) return;
        setErr('');
        ctx.api
          .attach(chosen, [c.id])
          .then((r) => {
            const res = r.results.find((x) => x.id === c.id);
            if (res && res.status !== 'ok') setErr(t.detail.inAnotherTopic);
            else {
              announce(t.inbox.attached(list.find((tp) => tp.id === chosen)?.title ?? ''));
              changed();
            }
          })
          .catch((e2: unknown) => setErr(errorMessage(e2, t.errorSave)));
      }}
    >
      <h2 id="topicbox-title">{t.detail.topic}</h2>
      <p>{current ? <Link href={`/console/sujets/${current.id}`}>{current.title}</Link> : t.detail.noTopic}</p>
      {topics.state === 'error' && <Failure message={topics.message} />}
      {!current && list.length > 0 && (
        <>
          <div class="c-field">
            <label for="topicbox-select">{t.detail.attachTo}</label>
            <select id="topicbox-select" value={chosen} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
              <option value="">—</option>
              {list.map((tp) => (
                <option key={tp.id} value={tp.id}>
                  {tp.title}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">{t.detail.attach}</button>
        </>
      )}
      {err && <FormError message={err} />}
    </form>
  );
}

function Comments({ ctx, c, added, people }: { ctx: ConsoleCtx; c: Contribution; added: () => void; people: Map<string, string> }) {
  const [text, setText] = useState('');
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <section class="c-card" aria-labelledby="comments-title">
      <h2 id="comments-title">{t.detail.comments}</h2>
      {c.comments.length === 0 ? (
        <p>{t.detail.noComments}</p>
      ) : (
        <ul class="c-comments">
          {c.comments.map((cm, i) => (
            <li key={i}>
              <p class="c-meta">{t.detail.commentBy(people.get(cm.by) ?? (cm.by === ctx.session.user.id ? ctx.session.user.name : cm.by), t.date(cm.at))}</p>
              <p>{cm.text}</p>
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!text.trim()) return;
          setBusy(true);
          setErr('');
          ctx.api
            .comment(c.id, text.trim())
            .then(() => {
              setText('');
              announce(t.detail.commentAdded);
              added();
            })
            .catch((e2: unknown) => setErr(errorMessage(e2, t.errorSave)))
            .finally(() => setBusy(false));
        }}
      >
        <div class="c-field">
          <label for="comment-text">{t.detail.addComment}</label>
          <textarea id="comment-text" rows={3} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        </div>
        {err && <FormError message={err} />}
        <button type="submit" disabled={busy}>
          {t.detail.sendComment}
        </button>
      </form>
    </section>
  );
}

function History({ h, reload }: { h: Async<HistoryEntry[]>; reload: () => void }) {
  return (
    <section class="c-card" aria-labelledby="history-title">
      <h2 id="history-title">{t.detail.history}</h2>
      {h.state === 'loading' && <Loading />}
      {h.state === 'error' && <Failure message={h.message} retry={reload} />}
      {h.state === 'ok' &&
        (h.data.length === 0 ? (
          <p>{t.detail.historyEmpty}</p>
        ) : (
          <ol class="c-history">
            {h.data.map((e) => (
              <li key={e.hash}>{historyLine(e)}</li>
            ))}
          </ol>
        ))}
    </section>
  );
}

export function ContributionBody({ ctx, c, people = new Map() }: { ctx: ConsoleCtx; c: Contribution; people?: Map<string, string> }) {
  const [geo] = useAsync(areas, []);
  const place = placeLabel(c, ctx.names);
  const code = c.geo?.arrondissement ?? c.geo?.commune;
  return (
    <div class="c-detail-grid">
      <section class="c-card c-text" aria-labelledby="text-title">
        <h2 id="text-title">{t.detail.text}</h2>
        <blockquote class="c-quote">{c.text}</blockquote>
      </section>
      <section class="c-card" aria-labelledby="place-title">
        <h2 id="place-title">{t.detail.place}</h2>
        <p>
          {place}
          {c.geo?.near_border && ` (${t.detail.nearBorder})`}
        </p>
        {geo.state === 'ok' && <PlaceMap all={geo.data} code={code} point={c.location} label={t.detail.map(place)} />}
      </section>
      <section class="c-card" aria-labelledby="facts-title">
        <h2 id="facts-title" class="visually-hidden">
          {t.detail.title}
        </h2>
        <dl class="c-dl">
          <dt>{t.detail.created}</dt>
          <dd>{t.date(c.created_at)}</dd>
          {ctx.officer && c.author && people.has(c.author) && (
            <>
              <dt>{t.detail.author}</dt>
              <dd>{people.get(c.author)}</dd>
            </>
          )}
          <dt>{t.detail.kind}</dt>
          <dd>{kindLabel(c.kind)}</dd>
          <dt>{t.detail.themes}</dt>
          <dd>{themesOf(c).map(themeLabel).join(', ') || t.none}</dd>
          <dt>{t.detail.respondent}</dt>
          <Respondent c={c} />
          <dt>{t.detail.outing}</dt>
          <dd>{c.outing ? c.outing.slice(0, 8) : t.detail.noOuting}</dd>
          <dt>{t.detail.campaign}</dt>
          <dd>{c.campaign}</dd>
          <dt>{t.detail.status}</dt>
          <dd>
            <span class={`c-status s-${statusOf(c)}`}>{statusLabel(statusOf(c))}</span>
          </dd>
        </dl>
        {c.follow_up.length > 0 && (
          <>
            <h3>{t.detail.followUp}</h3>
            <ul>
              {c.follow_up.map((fu, i) => (
                <li key={i}>
                  {t.detail.sentTo(fu.to, t.day(fu.sent_at))}
                  {fu.answer && (
                    <p>
                      <strong>{t.detail.answer} :</strong> {fu.answer}
                      {fu.answered_at && ` — ${t.detail.answeredAt(t.day(fu.answered_at))}`}
                    </p>
                  )}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </div>
  );
}

export function DetailScreen({ ctx, id }: { ctx: ConsoleCtx; id: string }) {
  const [c, reload, setC] = useAsync(() => ctx.api.get(id), [id]);
  const [h, reloadH] = useAsync<HistoryEntry[]>(() => ctx.api.history(id), [id, c.state === 'ok' ? JSON.stringify(c.data.review ?? null) + c.data.comments.length : '']);
  const people = h.state === 'ok' ? peopleOf(h.data) : new Map<string, string>();
  if (c.state === 'error' && c.error instanceof ApiError && (c.error.status === 404 || c.error.status === 400)) return <NotFound />;
  return (
    <section aria-labelledby="detail-title" class="c-detail">
      <h1 id="detail-title">{t.detail.title}</h1>
      <p>
        <Link href="/console/contributions">{t.backToList}</Link>
      </p>
      {c.state === 'loading' && <Loading />}
      {c.state === 'error' && <Failure message={c.message} retry={reload} />}
      {c.state === 'ok' && (
        <>
          <ContributionBody ctx={ctx} c={c.data} people={people} />
          <div class="c-detail-grid">
            {ctx.officer && <ReviewForm ctx={ctx} c={c.data} saved={setC} key={statusOf(c.data)} />}
            {ctx.officer && <TopicBox ctx={ctx} c={c.data} changed={reload} />}
            <Comments ctx={ctx} c={c.data} added={reload} people={people} />
            {ctx.officer && <ContactBox ctx={ctx} id={c.data.id} />}
            <History h={h} reload={reloadH} />
          </div>
        </>
      )}
    </section>
  );
}
