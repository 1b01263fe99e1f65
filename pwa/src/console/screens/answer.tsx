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
  summary?: string;
  message?: string;
  due_on?: string | null;
  from?: string;
  quotes: string[];
  contributions: { text: string; place?: string; kind?: string; themes?: string[] }[];
  answered: boolean;
}

/** Reads the dossier whatever its exact nesting (`{topic: {...}, forward: {...}}` or flat). */
export function readDossier(r: unknown): Dossier {
  const o = (r ?? {}) as Record<string, unknown>;
  const topic = (o.topic ?? o) as Record<string, unknown>;
  const fwd = (o.forward ?? o) as Record<string, unknown>;
  const arr = (v: unknown) => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    title: str(topic.title) ?? '',
    summary: str(topic.summary),
    message: str(fwd.message),
    due_on: str(fwd.due_on) ?? null,
    from: str(o.from) ?? str(fwd.from) ?? str(fwd.sender),
    quotes: [...arr(topic.quotes), ...arr(o.quotes)].map((q) => str(q.excerpt) ?? str(q.text) ?? '').filter(Boolean),
    contributions: [...arr(o.contributions), ...arr(topic.contributions)].map((c) => ({
      text: str(c.text) ?? '',
      place: str(c.commune_name) ?? str(c.arrondissement_name) ?? str(c.place) ?? str((c.geo as Record<string, unknown> | undefined)?.commune_name),
      kind: str(c.kind),
      themes: Array.isArray(c.themes) ? (c.themes as string[]) : undefined,
    })),
    answered: Boolean(o.answered ?? fwd.answered_at ?? o.answered_at),
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
            {dossier.data.summary && <p>{dossier.data.summary}</p>}
            <dl class="c-dl">
              {dossier.data.from && (
                <>
                  <dt>{t.answer.from}</dt>
                  <dd>{dossier.data.from}</dd>
                </>
              )}
              {dossier.data.due_on && (
                <>
                  <dt>{t.answer.due}</dt>
                  <dd>{t.day(dossier.data.due_on)}</dd>
                </>
              )}
            </dl>
            {dossier.data.message && (
              <>
                <h3>{t.answer.message}</h3>
                <p class="c-pre">{dossier.data.message}</p>
              </>
            )}
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
            <h3>{t.answer.contributions}</h3>
            <ol class="c-answer-list">
              {dossier.data.contributions.map((c, i) => (
                <li key={i}>
                  <p>{c.text}</p>
                  <p class="c-meta">{[c.place, c.kind && kindLabel(c.kind), c.themes?.map(themeLabel).join(', ')].filter(Boolean).join(' · ')}</p>
                </li>
              ))}
            </ol>
          </section>
          <p class="no-print">
            <button type="button" onClick={() => window.print()}>
              {t.answer.print}
            </button>
          </p>
          {sent ? (
            <p role="status" class="state state-ok">
              {t.answer.sent}
            </p>
          ) : dossier.data.answered ? (
            <p role="status">{t.answer.already}</p>
          ) : (
            <form
              class="c-card no-print"
              aria-labelledby="your-answer"
              onSubmit={(e) => {
                e.preventDefault();
                void submit();
              }}
            >
              <h2 id="your-answer">{t.answer.yourAnswer}</h2>
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
