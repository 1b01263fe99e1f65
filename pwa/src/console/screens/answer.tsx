// The answer page for a recipient without an account, opened from the link
// `/console/repondre#<token>`. The token stays in the fragment (never sent in
// a URL) and goes to the server in the `X-Answer-Token` header only. Plain,
// printable, readable on a phone; the dossier holds no author, no contact
// and no exact point (the server decides what it holds).
import { useState } from 'preact/hooks';
import { frConsole as t } from '../../i18n/fr-console';
import type { Api } from '../../network/api';
import { kindLabel, themeLabel } from '../format';
import { Failure, FormError, Loading, useAsync } from '../ui';

export interface Dossier {
  title: string;
  summary: string;
  themes: string[];
  count: number;
  byCommune: { name: string; count: number }[];
  byKind: [string, number][];
  quotes: string[];
  recipient: string;
  message: string;
  due_on: string | null;
  sent_at: string | null;
  answer: { text: string; author_name: string; answered_at: string } | null;
}

/** The dossier as `GET /api/v1/answer/dossier` gives it, with defaults for what is absent. */
export function readDossier(r: unknown): Dossier {
  const o = (r ?? {}) as Record<string, unknown>;
  const fig = (o.figures ?? {}) as Record<string, unknown>;
  const arr = (v: unknown) => (Array.isArray(v) ? (v as unknown[]) : []);
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const answer = o.answer as Dossier['answer'] | undefined;
  return {
    title: str(o.title),
    summary: str(o.summary),
    themes: arr(o.themes).map(String),
    count: typeof fig.count === 'number' ? fig.count : 0,
    byCommune: arr(fig.by_commune).map((c) => {
      const m = c as Record<string, unknown>;
      return { name: str(m.name) || str(m.code), count: Number(m.count ?? 0) };
    }),
    byKind: Object.entries((fig.by_kind ?? {}) as Record<string, number>),
    quotes: arr(o.quotes).map((q) => (typeof q === 'string' ? q : str((q as Record<string, unknown>).excerpt))).filter(Boolean),
    recipient: str(o.recipient_name),
    message: str(o.message),
    due_on: str(o.due_on) || null,
    sent_at: str(o.sent_at) || null,
    answer: answer && typeof answer.text === 'string' ? answer : null,
  };
}

/** The token of the link (the fragment), or '' when the link was cut. */
export const answerToken = (hash: string): string => decodeURIComponent(hash.replace(/^#/, '')).trim();

async function call(path: string, token: string, init: RequestInit = {}): Promise<Response> {
  return fetch(path, { ...init, headers: { ...(init.headers as Record<string, string>), 'X-Answer-Token': token } });
}

export function AnswerPage(_: { api: Api }) {
  const token = answerToken(location.hash);
  const [dossier, reload] = useAsync(async () => {
    if (!token) return 'missing' as const;
    const res = await call('/api/v1/answer/dossier', token);
    if (res.status === 401 || res.status === 403 || res.status === 404 || res.status === 410) return 'invalid' as const;
    if (!res.ok) throw new Error(String(res.status));
    return readDossier(await res.json());
  }, [token]);
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);

  const submit = async () => {
    setErr('');
    if (!text.trim() || !name.trim()) {
      setErr(t.answer.required);
      return;
    }
    setBusy(true);
    try {
      const res = await call('/api/v1/answer', token, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: text.trim(), author_name: name.trim() }),
      });
      if (res.status === 409) setErr(t.answer.already);
      else if (!res.ok) setErr(res.status === 401 || res.status === 403 || res.status === 404 ? t.answer.invalid : t.errorSave);
      else setSent(true);
    } catch {
      setErr(t.offline);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class="c-answer" aria-labelledby="answer-title">
      <h1 id="answer-title">{t.answer.title}</h1>
      {dossier.state === 'loading' && <Loading />}
      {dossier.state === 'error' && <Failure message={navigator.onLine ? t.errorLoad : t.offline} retry={reload} />}
      {dossier.state === 'ok' && dossier.data === 'missing' && <p role="alert">{t.answer.missing}</p>}
      {dossier.state === 'ok' && dossier.data === 'invalid' && <p role="alert">{t.answer.invalid}</p>}
      {dossier.state === 'ok' && typeof dossier.data === 'object' && (
        <>
          <p>{t.answer.intro}</p>
          <section aria-labelledby="dossier-title">
            <h2 id="dossier-title">
              {t.answer.dossier} : {dossier.data.title}
            </h2>
            {dossier.data.summary && <p class="c-pre">{dossier.data.summary}</p>}
            <dl class="c-dl">
              <dt>{t.answer.to}</dt>
              <dd>{dossier.data.recipient}</dd>
              <dt>{t.answer.sent}</dt>
              <dd>{t.day(dossier.data.sent_at)}</dd>
              <dt>{t.answer.due}</dt>
              <dd>{t.day(dossier.data.due_on)}</dd>
              {dossier.data.themes.length > 0 && (
                <>
                  <dt>{t.answer.themes}</dt>
                  <dd>{dossier.data.themes.map(themeLabel).join(', ')}</dd>
                </>
              )}
            </dl>
            {dossier.data.message && (
              <>
                <h3>{t.answer.message}</h3>
                <p class="c-pre">{dossier.data.message}</p>
              </>
            )}
            <h3>{t.answer.contributions}</h3>
            <p>{t.answer.count(dossier.data.count)}</p>
            {dossier.data.byCommune.length > 0 && (
              <table class="c-table">
                <caption>{t.answer.byCommune}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.map.colArea}</th>
                    <th scope="col" class="num">
                      {t.map.colCount}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {dossier.data.byCommune.map((c) => (
                    <tr key={c.name}>
                      <th scope="row">{c.name}</th>
                      <td class="num">{t.count(c.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {dossier.data.byKind.length > 0 && <p>{dossier.data.byKind.map(([k, n]) => `${kindLabel(k)} : ${n}`).join(' · ')}</p>}
            {dossier.data.quotes.length > 0 && (
              <>
                <h3>{t.answer.quotes}</h3>
                {dossier.data.quotes.map((q, i) => (
                  <blockquote class="c-quote" key={i}>
                    « {q} »
                  </blockquote>
                ))}
              </>
            )}
          </section>
          <p class="no-print">
            <button type="button" onClick={() => window.print()}>
              {t.answer.print}
            </button>
          </p>
          {sent ? (
            <p role="status" class="state state-ok">
              {t.answer.thanks}
            </p>
          ) : dossier.data.answer ? (
            <section aria-labelledby="given-answer">
              <h2 id="given-answer">{t.answer.given}</h2>
              <p class="c-meta">{t.topics.answerBy(dossier.data.answer.author_name, t.date(dossier.data.answer.answered_at))}</p>
              <blockquote class="c-quote">{dossier.data.answer.text}</blockquote>
            </section>
          ) : (
            <form
              class="c-card no-print"
              aria-labelledby="your-answer"
              onSubmit={(e) => {
                e.preventDefault();
                void submit();
              }}
            >
              <h2 id="your-answer">{t.answer.formTitle}</h2>
              <div class="c-field">
                <label for="answer-text">{t.answer.yourAnswer}</label>
                <textarea id="answer-text" rows={8} required value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
              </div>
              <div class="c-field">
                <label for="answer-name">{t.answer.authorName}</label>
                <input id="answer-name" required autocomplete="name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
              </div>
              {err && <FormError message={err} />}
              <button type="submit" class="primary" disabled={busy}>
                {busy ? t.answer.busy : t.answer.submit}
              </button>
            </form>
          )}
        </>
      )}
    </article>
  );
}
