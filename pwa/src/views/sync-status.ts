import type { AppContext } from '../app/context';
import { fr } from '../i18n/fr';
import type { SyncStatus } from '../network/scheduler';
import { h } from './dom';

export function syncMessage(s: SyncStatus): string {
  switch (s.phase) {
    case 'running':
      return s.sent ? fr.sync.progress(s.sent) : fr.sync.running;
    case 'offline':
      return fr.sync.offline;
    case 'need_login':
      return fr.sync.needLogin;
    case 'disabled':
      return fr.sync.disabled;
    case 'error': {
      const secs = s.retryAt ? Math.max(1, Math.round((s.retryAt - Date.now()) / 1000)) : 0;
      return `${fr.sync.failed}${secs ? ' ' + fr.sync.retryIn(secs) : ''}${s.error ? ` (${s.error})` : ''}`;
    }
    case 'idle':
      if (!s.result) return '';
      return fr.sync.done(s.result.sent, s.result.updates) + (s.result.refused ? ' ' + fr.sync.refusedSome(s.result.refused) : '');
  }
}

/** A live region that follows the scheduler; removes its subscription when detached. */
export function syncStatusLine(ctx: AppContext): HTMLElement {
  const p = h('p', { class: 'sync-status', id: 'sync-status', role: 'status', 'aria-live': 'polite' });
  const off = ctx.scheduler.subscribe((s) => {
    if (!p.isConnected && p.dataset.mounted) {
      off();
      return;
    }
    p.dataset.mounted = '1';
    p.dataset.phase = s.phase;
    p.textContent = syncMessage(s);
    if (s.phase === 'need_login') {
      p.append(' ', h('a', { href: '/connexion', 'data-link': '' }, fr.sync.relogin));
    }
    if (s.phase === 'disabled') {
      p.append(' ', h('a', { href: '/reglages', 'data-link': '' }, fr.sync.toSettings));
    }
  });
  return p;
}
