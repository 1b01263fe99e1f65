import { ApiError, NetworkError } from '../network/api';
import { fr } from '../i18n/fr';
import { OWNER_KEY, type AppContext } from '../app/context';
import { h } from './dom';

/** Log in (online). Also used to log in again when the session expired offline. */
export function loginView(ctx: AppContext, root: HTMLElement, onDone: () => void, email = ''): void {
  const err = h('p', { class: 'error', role: 'alert', id: 'login-error' });
  const emailIn = h('input', { id: 'email', type: 'email', name: 'email', autocomplete: 'username', required: true, value: email, inputmode: 'email' });
  const pwIn = h('input', { id: 'password', type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const btn = h('button', { type: 'submit', class: 'primary big' }, fr.login.submit);
  const form = h(
    'form',
    { class: 'card', novalidate: true, 'aria-describedby': 'login-error' },
    h('p', {}, fr.login.intro),
    h('label', { for: 'email' }, fr.login.email),
    emailIn,
    h('label', { for: 'password' }, fr.login.password),
    pwIn,
    err,
    btn,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      err.textContent = '';
      btn.disabled = true;
      btn.textContent = fr.login.busy;
      try {
        const previous = await ctx.store.getMeta<string>(OWNER_KEY);
        const s = await ctx.api.login(emailIn.value.trim(), pwIn.value);
        if (previous && previous !== s.user.id) {
          if ((await ctx.store.unsentCount()) > 0) {
            await ctx.api.logout();
            err.textContent = fr.login.otherAccountPending;
            return;
          }
          // Another volunteer on this phone: start from a clean store.
          await ctx.store.clearAll();
          await ctx.api.login(emailIn.value.trim(), pwIn.value);
        }
        await ctx.store.setMeta(OWNER_KEY, s.user.id);
        ctx.scheduler.reset();
        onDone();
      } catch (e2) {
        err.textContent =
          e2 instanceof ApiError && (e2.status === 401 || e2.code === 'invalid_credentials')
            ? fr.login.invalid
            : e2 instanceof ApiError && e2.code === 'account_disabled'
              ? fr.login.disabled
              : e2 instanceof ApiError && e2.code === 'rate_limited'
                ? fr.login.rateLimited
                : e2 instanceof NetworkError
              ? fr.login.offline
              : fr.login.failed;
        pwIn.focus();
      } finally {
        btn.disabled = false;
        btn.textContent = fr.login.submit;
      }
    })();
  });
  root.append(h('h1', {}, fr.login.title), form);
  (email ? pwIn : emailIn).focus();
}
