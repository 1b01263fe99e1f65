// The recipients directory: elected officials and services the officer
// forwards topics to.
import { useState } from 'preact/hooks';
import { frConsole as t } from '../../i18n/fr-console';
import { items, type Recipient } from '../api';
import { errorMessage } from '../format';
import { announce, type ConsoleCtx, FormError, Show, useAsync } from '../ui';

export function RecipientsScreen({ ctx }: { ctx: ConsoleCtx }) {
  const [list, reload] = useAsync(async () => items<Recipient>(await ctx.api.recipients()), []);
  const [name, setName] = useState('');
  const [role, setRole] = useState('');
  const [kind, setKind] = useState<Recipient['kind']>('elected_official');
  const [commune, setCommune] = useState('');
  const [email, setEmail] = useState('');
  const [err, setErr] = useState('');
  return (
    <section aria-labelledby="rec-title">
      <h1 id="rec-title">{t.recipients.title}</h1>
      <Show value={list} retry={reload}>
        {(rs) =>
          rs.length === 0 ? (
            <p class="state state-empty">{t.recipients.empty}</p>
          ) : (
            <table class="c-table">
              <caption class="visually-hidden">{t.recipients.title}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.recipients.name}</th>
                  <th scope="col">{t.recipients.kind}</th>
                  <th scope="col">{t.recipients.role}</th>
                  <th scope="col">{t.recipients.email}</th>
                </tr>
              </thead>
              <tbody>
                {rs.map((r) => (
                  <tr key={r.id}>
                    <th scope="row">{r.name}</th>
                    <td>{t.recipients.kinds[r.kind] ?? r.kind}</td>
                    <td>{r.function ?? ''}</td>
                    <td>{r.email ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
      <form
        class="c-card"
        aria-labelledby="rec-add"
        onSubmit={(e) => {
          e.preventDefault();
          if (!name.trim()) return;
          setErr('');
          ctx.api
            .createRecipient({ kind, name: name.trim(), function: role.trim(), email: email.trim() || null, commune: kind === 'commune' ? commune || null : null })
            .then(() => {
              setName('');
              setRole('');
              setEmail('');
              announce(t.recipients.added);
              reload();
            })
            .catch((e2: unknown) => setErr(errorMessage(e2, t.errorSave)));
        }}
      >
        <h2 id="rec-add">{t.recipients.add}</h2>
        <div class="c-field">
          <label for="rec-kind">{t.recipients.kind}</label>
          <select id="rec-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as Recipient['kind'])}>
            {(['elected_official', 'service', 'commune'] as const).map((k) => (
              <option key={k} value={k}>
                {t.recipients.kinds[k]}
              </option>
            ))}
          </select>
        </div>
        {kind === 'commune' && (
          <div class="c-field">
            <label for="rec-commune">{t.list.commune}</label>
            <select id="rec-commune" value={commune} onChange={(e) => setCommune((e.target as HTMLSelectElement).value)}>
              <option value="">—</option>
              {[...ctx.names.entries()]
                .sort((a, b) => a[1].localeCompare(b[1], 'fr'))
                .map(([code, n]) => (
                  <option key={code} value={code}>
                    {n}
                  </option>
                ))}
            </select>
          </div>
        )}
        <div class="c-field">
          <label for="rec-name">{t.recipients.name}</label>
          <input id="rec-name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        <div class="c-field">
          <label for="rec-role">{t.recipients.role}</label>
          <input id="rec-role" value={role} onInput={(e) => setRole((e.target as HTMLInputElement).value)} />
        </div>
        <div class="c-field">
          <label for="rec-email">{t.recipients.email}</label>
          <input id="rec-email" type="email" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        </div>
        {err && <FormError message={err} />}
        <button type="submit" class="primary">
          {t.recipients.addSubmit}
        </button>
      </form>
    </section>
  );
}
