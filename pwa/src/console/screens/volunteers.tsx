// The officer's volunteer accounts: create one at a training session,
// disable one who left, sign out a lost phone. The server refuses the
// officer anything beyond volunteers.
import { useState } from 'preact/hooks';
import { frConsole as t } from '../../i18n/fr-console';
import type { Account } from '../api';
import { errorMessage } from '../format';
import { announce, type ConsoleCtx, FormError, Show, useAsync } from '../ui';

export function VolunteersScreen({ ctx }: { ctx: ConsoleCtx }) {
  const [list, reload] = useAsync(() => ctx.api.accounts(), []);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [err, setErr] = useState('');
  const act = (p: Promise<unknown>, done: string) =>
    p
      .then(() => {
        announce(done);
        reload();
      })
      .catch((e: unknown) => announce(errorMessage(e, t.errorSave)));
  const toggle = (a: Account) => {
    if (!a.disabled && !confirm(t.volunteers.confirmDisable(a.name))) return;
    void act(ctx.api.updateAccount(a.id, { disabled: !a.disabled }), a.disabled ? t.volunteers.enabledDone(a.name) : t.volunteers.disabledDone(a.name));
  };
  const signOut = (a: Account) => {
    if (!confirm(t.volunteers.confirmSignOut(a.name))) return;
    void act(ctx.api.signOutAccount(a.id), t.volunteers.signedOut(a.name));
  };
  return (
    <section aria-labelledby="vol-title">
      <h1 id="vol-title">{t.volunteers.title}</h1>
      <Show value={list} retry={reload}>
        {(accounts) =>
          accounts.length === 0 ? (
            <p class="state state-empty">{t.volunteers.empty}</p>
          ) : (
            <table class="c-table">
              <caption class="visually-hidden">{t.volunteers.title}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.volunteers.name}</th>
                  <th scope="col">{t.volunteers.email}</th>
                  <th scope="col">{t.volunteers.state}</th>
                  <th scope="col">{t.volunteers.actions}</th>
                </tr>
              </thead>
              <tbody>
                {accounts.map((a) => (
                  <tr key={a.id}>
                    <th scope="row">{a.name}</th>
                    <td>{a.email}</td>
                    <td>{a.disabled ? t.volunteers.disabled : t.volunteers.active}</td>
                    <td>
                      <button type="button" class={a.disabled ? '' : 'danger'} onClick={() => toggle(a)}>
                        {a.disabled ? t.volunteers.enable(a.name) : t.volunteers.disable(a.name)}
                      </button>{' '}
                      {!a.disabled && (
                        <button type="button" onClick={() => signOut(a)}>
                          {t.volunteers.signOut(a.name)}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
      <form
        class="c-card"
        aria-labelledby="vol-add"
        onSubmit={(e) => {
          e.preventDefault();
          setErr('');
          ctx.api
            .createAccount({ email: email.trim(), name: name.trim(), role: 'volunteer', password })
            .then((a) => {
              announce(t.volunteers.added(a.name));
              setName('');
              setEmail('');
              setPassword('');
              reload();
            })
            .catch((e2: unknown) => setErr(errorMessage(e2, t.errorSave)));
        }}
      >
        <h2 id="vol-add">{t.volunteers.add}</h2>
        <div class="c-field">
          <label for="vol-name">{t.volunteers.name}</label>
          <input id="vol-name" required autocomplete="off" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        <div class="c-field">
          <label for="vol-email">{t.volunteers.email}</label>
          <input id="vol-email" type="email" required autocomplete="off" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        </div>
        <div class="c-field">
          <label for="vol-password">{t.volunteers.password}</label>
          <input id="vol-password" type="text" required minLength={8} autocomplete="new-password" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </div>
        {err && <FormError message={err} />}
        <button type="submit" class="primary">
          {t.volunteers.addSubmit}
        </button>
      </form>
    </section>
  );
}
