// Follow-up: what waits for an answer, since when, overdue first; the
// answers received.
import { frConsole as t } from '../../i18n/fr-console';
import { type Forward, items } from '../api';
import { daysBetween } from '../format';
import { type ConsoleCtx, Link, Show, useAsync } from '../ui';

/** Days past the due date (the server's figure when it gives one). */
export function overdueDays(f: Forward, today: string = new Date().toISOString().slice(0, 10)): number {
  if (typeof f.days_overdue === 'number') return f.days_overdue;
  return f.due_on && f.due_on < today && !f.answer ? daysBetween(f.due_on, new Date(today + 'T00:00:00Z')) : 0;
}

/** Waiting forwards, overdue first (most overdue at the top), then by due date (pure, unit-tested). */
export function waitingOrder(list: Forward[], today: string = new Date().toISOString().slice(0, 10)): (Forward & { late: number })[] {
  return list
    .map((f) => ({ ...f, late: overdueDays(f, today) }))
    .sort((a, b) => b.late - a.late || a.due_on.localeCompare(b.due_on) || a.sent_at.localeCompare(b.sent_at));
}

export function FollowUpScreen({ ctx }: { ctx: ConsoleCtx }) {
  const [waiting, reloadW] = useAsync(async () => waitingOrder(items<Forward>(await ctx.api.forwards('waiting'))), []);
  const [answered, reloadA] = useAsync(async () => items<Forward>(await ctx.api.forwards('answered')), []);
  return (
    <section aria-labelledby="fu-title">
      <h1 id="fu-title">{t.followUp.title}</h1>
      <section aria-labelledby="fu-waiting">
        <h2 id="fu-waiting">{t.followUp.waiting}</h2>
        <Show value={waiting} retry={reloadW}>
          {(list) =>
            list.length === 0 ? (
              <p class="state state-empty">{t.followUp.noneWaiting}</p>
            ) : (
              <table class="c-table">
                <caption class="visually-hidden">{t.followUp.waiting}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.followUp.topic}</th>
                    <th scope="col">{t.followUp.recipient}</th>
                    <th scope="col">{t.followUp.sent}</th>
                    <th scope="col">{t.followUp.since}</th>
                    <th scope="col">{t.followUp.due}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((f) => (
                    <tr key={f.id} class={f.late ? 'c-overdue' : undefined}>
                      <td>
                        <Link href={`/console/sujets/${f.topic}`}>{f.topic_title ?? f.topic}</Link>
                      </td>
                      <td>{f.recipient_name}</td>
                      <td>{t.day(f.sent_at)}</td>
                      <td>{t.followUp.days(f.days_waiting ?? daysBetween(f.sent_at))}</td>
                      <td>
                        {t.day(f.due_on)}
                        {f.late > 0 && <strong> — {t.followUp.overdue(f.late)}</strong>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Show>
      </section>
      <section aria-labelledby="fu-answered">
        <h2 id="fu-answered">{t.followUp.answered}</h2>
        <Show value={answered} retry={reloadA}>
          {(list) =>
            list.length === 0 ? (
              <p class="state state-empty">{t.followUp.noneAnswered}</p>
            ) : (
              <table class="c-table">
                <caption class="visually-hidden">{t.followUp.answered}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.followUp.topic}</th>
                    <th scope="col">{t.followUp.recipient}</th>
                    <th scope="col">{t.followUp.answeredOn}</th>
                    <th scope="col">{t.detail.answer}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((f) => (
                    <tr key={f.id}>
                      <td>
                        <Link href={`/console/sujets/${f.topic}`}>{f.topic_title ?? f.topic}</Link>
                      </td>
                      <td>{f.answer ? `${f.answer.author_name} (${f.recipient_name})` : f.recipient_name}</td>
                      <td>{t.day(f.answer?.answered_at)}</td>
                      <td class="c-pre">{f.answer?.text ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Show>
      </section>
    </section>
  );
}
