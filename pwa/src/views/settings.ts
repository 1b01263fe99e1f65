// Safety nets: storage protection, backup export / import, and a logout that
// warns while anything is unsent.
import type { AppContext } from '../app/context';
import { fr } from '../i18n/fr';
import { h } from './dom';

export async function settingsView(ctx: AppContext, root: HTMLElement, onLogout: () => void): Promise<() => void> {
  const session = await ctx.session();
  const persisted = await ctx.persisted();
  const msg = h('p', { role: 'status', 'aria-live': 'polite', id: 'settings-status' });

  const exportBtn = h('button', { type: 'button', class: 'secondary big', id: 'export' }, fr.settings.export);
  exportBtn.addEventListener('click', () => {
    void (async () => {
      const backup = await ctx.store.exportBackup(session?.user.id);
      const blob = new Blob([JSON.stringify(backup)], { type: 'application/json' });
      const a = h('a', { href: URL.createObjectURL(blob), download: fr.settings.exportFileName(new Date()) });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      msg.textContent = fr.settings.exportDone(backup.documents.length);
    })();
  });

  const fileIn = h('input', { type: 'file', id: 'import-file', accept: 'application/json,.json' });
  fileIn.addEventListener('change', () => {
    const file = fileIn.files?.[0];
    if (!file) return;
    void (async () => {
      try {
        const r = await ctx.store.importBackup(JSON.parse(await file.text()));
        msg.textContent = fr.settings.importDone(r.added, r.merged);
        ctx.changed();
        ctx.afterSave();
      } catch {
        msg.textContent = fr.settings.importFailed;
      }
      fileIn.value = '';
    })();
  });

  const logoutBtn = h('button', { type: 'button', class: 'danger', id: 'logout' }, fr.settings.logout);
  logoutBtn.addEventListener('click', () => {
    void (async () => {
      const unsent = await ctx.store.unsentCount();
      const ok = window.confirm(unsent > 0 ? fr.settings.logoutConfirmUnsent(unsent) : fr.settings.logoutConfirm);
      if (!ok) return;
      await ctx.store.clearAll();
      onLogout();
    })();
  });

  root.append(
    h('h1', {}, fr.settings.title),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'acc-title' },
      h('h2', { id: 'acc-title' }, fr.settings.account),
      h('p', {}, session ? `${session.user.name} — ${session.user.email}` : ''),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'storage-title' },
      h('h2', { id: 'storage-title' }, fr.settings.storage),
      h(
        'p',
        { class: persisted === false ? 'warning' : '', id: 'persist-state' },
        persisted === true ? fr.settings.persisted : persisted === false ? fr.settings.notPersisted : fr.settings.unknownPersist,
      ),
      exportBtn,
      h('label', { for: 'import-file' }, fr.settings.import),
      fileIn,
      msg,
    ),
    h('section', { class: 'card' }, logoutBtn),
    h('p', { class: 'hint' }, `${fr.settings.version} ${__APP_VERSION__}`),
  );
  return () => {};
}
