// The inbox: new contributions, oldest first, one at a time beside its
// suggestions (likely topics, likely duplicates), qualified with the keyboard
// alone. The shortcuts are on screen, as in a mail client; they are ignored
// while typing in a field.
import { useEffect, useRef, useState } from 'preact/hooks';
import { frConsole as t } from '../../i18n/fr-console';
import { type Contribution, EMPTY_FILTER, items, type Topic } from '../api';
import { errorMessage, excerpt, THEMES, themeLabel, themesOf } from '../format';
import { announce, type ConsoleCtx, Failure, FormError, Link, Loading, useAsync } from '../ui';
import { ContributionBody } from './detail';

export interface Suggestions {
  topics: { id: string; title: string }[];
  /** Similar contributions, likely duplicates first. */
  duplicates: { id: string; text?: string; duplicate: boolean }[];
}

/**
 * Reads `GET /contributions/{id}/similar` (`{contribution, items: [{id,
 * score, duplicate, excerpt, topic, …}]}`): the likely topics are the topics
 * of the similar ones, in their order, named from `titles`.
 */
export function readSuggestions(r: unknown, titles: Map<string, string> = new Map()): Suggestions {
  const o = (r ?? {}) as Record<string, unknown>;
  const arr = (v: unknown) => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);
  const list = Array.isArray(r) ? arr(r) : [...arr(o.items), ...arr(o.duplicates)];
  const duplicates = list
    .map((d) => ({ id: String(d.id ?? ''), text: (d.excerpt ?? d.text) as string | undefined, duplicate: d.duplicate === true }))
    .filter((d) => d.id)
    .sort((a, b) => Number(b.duplicate) - Number(a.duplicate));
  const topics: { id: string; title: string }[] = [];
  const add = (id: unknown, title?: unknown) => {
    const k = typeof id === 'string' ? id : '';
    if (k && !topics.some((x) => x.id === k)) topics.push({ id: k, title: typeof title === 'string' && title ? title : (titles.get(k) ?? k.slice(0, 8)) });
  };
  for (const x of arr(o.topics)) add(x.id, x.title);
  for (const d of list) add(d.topic);
  return { duplicates, topics };
}

/** The themes reachable with keys 1–9 (the first nine of the catalogue). */
export const KEY_THEMES = THEMES.slice(0, 9);

/** What a key does in the inbox, or null (pure, unit-tested). */
export function inboxKey(key: string): { do: 'next' | 'prev' | 'qualify' | 'offTopic' | 'attach' | 'open' } | { do: 'theme'; theme: string } | null {
  if (key === 'j' || key === 'ArrowRight') return { do: 'next' };
  if (key === 'k' || key === 'ArrowLeft') return { do: 'prev' };
  if (key === 'q') return { do: 'qualify' };
  if (key === 'h') return { do: 'offTopic' };
  if (key === 'a') return { do: 'attach' };
  if (key === 'o') return { do: 'open' };
  if (/^[1-9]$/.test(key)) return { do: 'theme', theme: KEY_THEMES[Number(key) - 1]! };
  return null;
}

export function InboxScreen({ ctx }: { ctx: ConsoleCtx }) {
  const [queue, reload] = useAsync(
    async () => {
      const page = await ctx.api.list({ ...EMPTY_FILTER, statuses: ['new'], sort: 'oldest', per_page: 50 });
      // Oldest first even from a server that does not sort yet.
      return { items: [...page.items].sort((a, b) => a.created_at.localeCompare(b.created_at)), total: page.total };
    },
    [],
  );
  const [done, setDone] = useState<Set<string>>(new Set());
  const [index, setIndex] = useState(0);
  const [themes, setThemes] = useState<Record<string, string[]>>({});
  const [reason, setReason] = useState('');
  const [askReason, setAskReason] = useState(false);
  const [err, setErr] = useState('');
  const reasonRef = useRef<HTMLInputElement>(null);
  const left = queue.state === 'ok' ? queue.data.items.filter((c) => !done.has(c.id)) : [];
  const i = Math.min(index, Math.max(0, left.length - 1));
  const current: Contribution | undefined = left[i];
  const currentThemes = current ? (themes[current.id] ?? themesOf(current)) : [];
  const [titles] = useAsync(async () => new Map(items<Topic>(await ctx.api.topics()).map((tp) => [tp.id, tp.title])), []);
  const [sugg] = useAsync<Suggestions | null>(
    async () => (current ? readSuggestions(await ctx.api.similar(current.id).catch(() => null), titles.state === 'ok' ? titles.data : undefined) : null),
    [current?.id, titles.state],
  );
  // Still to qualify: the server's count at this load, less those done since.
  const remaining = queue.state === 'ok' ? queue.data.total - queue.data.items.filter((c) => done.has(c.id)).length : 0;
  // The page of 50 is done but more are new: fetch the next oldest ones.
  useEffect(() => {
    if (queue.state === 'ok' && left.length === 0 && queue.data.items.length > 0 && queue.data.total > queue.data.items.length) {
      setIndex(0);
      reload();
    }
  }, [queue, left.length]);

  const act = async (what: 'qualified' | 'off_topic') => {
    if (!current) return;
    setErr('');
    if (what === 'off_topic' && !reason.trim()) {
      setAskReason(true);
      queueMicrotask(() => reasonRef.current?.focus());
      return;
    }
    try {
      await ctx.api.review(current.id, {
        ...(current.review ?? {}),
        status: what,
        themes: currentThemes,
        notes: what === 'off_topic' ? reason.trim() : (current.review?.notes ?? ''),
      });
      setDone(new Set(done).add(current.id));
      setReason('');
      setAskReason(false);
      announce(what === 'qualified' ? t.inbox.qualified : t.saved);
    } catch (e) {
      setErr(errorMessage(e, t.errorSave));
    }
  };
  const attach = async () => {
    const topic = sugg.state === 'ok' ? sugg.data?.topics[0] : undefined;
    if (!current || !topic) return;
    try {
      await ctx.api.attach(topic.id, [current.id]);
      announce(t.inbox.attached(topic.title));
    } catch (e) {
      setErr(errorMessage(e, t.errorSave));
    }
  };

  const handler = useRef<(e: KeyboardEvent) => void>(() => undefined);
  handler.current = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const el = e.target as HTMLElement;
    if (el.closest('input, textarea, select, [contenteditable]')) {
      if (e.key === 'Escape') {
        el.blur();
        setAskReason(false);
      }
      return;
    }
    const k = inboxKey(e.key);
    if (!k || !current) return;
    e.preventDefault();
    if (k.do === 'next') setIndex(Math.min(i + 1, left.length - 1));
    else if (k.do === 'prev') setIndex(Math.max(0, i - 1));
    else if (k.do === 'qualify') void act('qualified');
    else if (k.do === 'offTopic') void act('off_topic');
    else if (k.do === 'attach') void attach();
    else if (k.do === 'open') ctx.navigate(`/console/contributions/${current.id}`);
    else if (k.do === 'theme') {
      const has = currentThemes.includes(k.theme);
      setThemes({ ...themes, [current.id]: has ? currentThemes.filter((x) => x !== k.theme) : [...currentThemes, k.theme] });
      announce(`${themeLabel(k.theme)} : ${has ? 'retiré' : 'ajouté'}`);
    }
  };
  useEffect(() => {
    const on = (e: KeyboardEvent) => handler.current(e);
    document.addEventListener('keydown', on);
    return () => document.removeEventListener('keydown', on);
  }, []);

  const keys: [string, string][] = [
    ['j / →', t.inbox.keyNext],
    ['k / ←', t.inbox.keyPrev],
    ['q', t.inbox.keyQualify],
    ['1–9', t.inbox.keyTheme],
    ['a', t.inbox.keyAttach],
    ['h', t.inbox.keyOffTopic],
    ['o', t.inbox.keyOpen],
  ];

  return (
    <section aria-labelledby="inbox-title" class="c-inbox">
      <h1 id="inbox-title">{t.inbox.title}</h1>
      <p>{t.inbox.intro}</p>
      {queue.state === 'loading' && <Loading />}
      {queue.state === 'error' && <Failure message={queue.message} retry={reload} />}
      {queue.state === 'ok' && !current && (
        <p class="state state-empty" role="status">
          {t.inbox.empty}
        </p>
      )}
      {current && (
        <div class="c-inbox-grid">
          <article class="c-inbox-item" aria-labelledby="inbox-pos" data-id={current.id}>
            <h2 id="inbox-pos" aria-live="polite">
              {t.inbox.position(i + 1, Math.max(remaining, left.length))}
            </h2>
            <ContributionBody ctx={ctx} c={current} key={current.id} />
            <fieldset class="c-checks c-checks-inline c-inbox-themes">
              <legend>{t.detail.themes}</legend>
              <p class="c-hint">{t.inbox.themesHelp}</p>
              {THEMES.map((th, n) => (
                <div class="c-check" key={th}>
                  <input
                    type="checkbox"
                    id={`ib-${th}`}
                    checked={currentThemes.includes(th)}
                    onChange={(e) =>
                      setThemes({ ...themes, [current.id]: (e.target as HTMLInputElement).checked ? [...currentThemes, th] : currentThemes.filter((x) => x !== th) })
                    }
                  />
                  <label for={`ib-${th}`}>
                    {n < 9 && <kbd>{n + 1}</kbd>} {themeLabel(th)}
                  </label>
                </div>
              ))}
            </fieldset>
            {askReason && (
              <form
                class="c-field"
                onSubmit={(e) => {
                  e.preventDefault();
                  void act('off_topic');
                }}
              >
                <label for="ib-reason">{t.inbox.offTopicReason}</label>
                <input id="ib-reason" ref={reasonRef} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
                <button type="submit">{t.inbox.offTopic}</button>
              </form>
            )}
            {err && <FormError message={err} />}
            <div class="c-actions">
              <button type="button" onClick={() => setIndex(Math.max(0, i - 1))} disabled={i === 0}>
                {t.inbox.prev} <kbd>k</kbd>
              </button>
              <button type="button" class="primary" onClick={() => void act('qualified')}>
                {t.inbox.qualify} <kbd>q</kbd>
              </button>
              <button type="button" onClick={() => void act('off_topic')}>
                {t.inbox.offTopic} <kbd>h</kbd>
              </button>
              <Link href={`/console/contributions/${current.id}`}>
                {t.inbox.open} <kbd>o</kbd>
              </Link>
              <button type="button" onClick={() => setIndex(Math.min(i + 1, left.length - 1))} disabled={i >= left.length - 1}>
                {t.inbox.next} <kbd>j</kbd>
              </button>
            </div>
          </article>
          <div class="c-inbox-side">
          <aside class="c-keys" aria-labelledby="keys-title">
            <h2 id="keys-title">{t.inbox.shortcuts}</h2>
            <ul>
              {keys.map(([k, what]) => (
                <li key={k}>
                  <kbd>{k}</kbd> {what}
                </li>
              ))}
            </ul>
          </aside>
          <aside class="c-card c-suggest" aria-labelledby="sugg-title">
            <h2 id="sugg-title">{t.inbox.suggestions}</h2>
            {sugg.state === 'loading' && <Loading />}
            {sugg.state === 'ok' && (
              <>
                <h3>{t.inbox.likelyTopics}</h3>
                {sugg.data?.topics.length ? (
                  <ul>
                    {sugg.data.topics.map((tp, n) => (
                      <li key={tp.id}>
                        <button type="button" onClick={() => void attach()} disabled={n > 0}>
                          {t.inbox.attach(tp.title)} {n === 0 && <kbd>a</kbd>}
                        </button>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p>{t.inbox.noSuggestion}</p>
                )}
                <h3>{t.inbox.likelyDuplicates}</h3>
                {sugg.data?.duplicates.length ? (
                  <ul>
                    {sugg.data.duplicates.map((d) => (
                      <li key={d.id}>
                        <Link href={`/console/contributions/${d.id}`}>{d.text ? excerpt(d.text, 80) : d.id.slice(0, 8)}</Link>
                        {d.duplicate && <strong> ({t.inbox.duplicateMark})</strong>}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p>{t.inbox.noSuggestion}</p>
                )}
              </>
            )}
          </aside>
          </div>
        </div>
      )}
    </section>
  );
}
