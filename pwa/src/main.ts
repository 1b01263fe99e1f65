// Boot: Automerge's wasm, the local store, the network and sync layers, then
// a tiny router over the views. Nothing here waits for the network.
import wasmUrl from '@automerge/automerge/automerge.wasm?url';
import { registerSW } from 'virtual:pwa-register';
import { CAMPAIGNS_KEY, PERSIST_KEY, type AppContext } from './app/context';
import { initAutomerge } from './documents/automerge';
import { loadTerritory } from './geo/lookup';
import { fr } from './i18n/fr';
import { Api, type Campaign } from './network/api';
import { SyncScheduler } from './network/scheduler';
import { SyncClient } from './network/sync';
import { LocalStore } from './storage/store';
import { consoleView } from './views/console';
import { h } from './views/dom';
import { formView } from './views/form';
import { homeView } from './views/home';
import { loginView } from './views/login';
import { mineView } from './views/mine';
import { outingView } from './views/outing';
import { settingsView } from './views/settings';
import './style.css';

const BG_SYNC_TAG = 'porte-voix-sync';

async function boot(): Promise<void> {
  const app = document.getElementById('app')!;
  // The wasm (3.6 MB) loads in the background: the login screen does not need
  // it, so a first visit on a slow network can type credentials meanwhile.
  const wasmReady = initAutomerge(wasmUrl);
  const store = await LocalStore.open();
  const api = new Api(store);
  const client = new SyncClient(store, api);
  const scheduler = new SyncScheduler(client, { hasUnsent: async () => (await store.unsentCount()) > 0 });

  const listeners = new Set<() => void>();
  const main = h('main', { id: 'main', tabindex: '-1' });
  const toast = h('div', { class: 'toast', role: 'status', 'aria-live': 'polite', id: 'toast' });
  const netBadge = h('span', { class: 'net', id: 'net-badge' });
  const navLinks: [string, string][] = [
    ['/', fr.nav.home],
    ['/tournee', fr.nav.outing],
    ['/contributions', fr.nav.mine],
    ['/reglages', fr.nav.settings],
  ];
  const nav = h(
    'nav',
    { 'aria-label': fr.nav.label, class: 'tabbar' },
    h('ul', {}, navLinks.map(([href, label]) => h('li', {}, h('a', { href, 'data-link': '' }, label)))),
  );
  app.replaceChildren(
    h('a', { class: 'skip', href: '#main' }, fr.skipToContent),
    h('header', { class: 'topbar' }, h('span', { class: 'brand' }, fr.appName), netBadge),
    main,
    toast,
    nav,
  );

  const updateBadge = async () => {
    const unsent = await store.unsentCount();
    const online = navigator.onLine;
    netBadge.textContent = (online ? fr.net.online : fr.net.offline) + (unsent ? ` · ${fr.net.unsent(unsent)}` : '');
    netBadge.dataset.online = String(online);
  };
  window.addEventListener('online', () => void updateBadge());
  window.addEventListener('offline', () => void updateBadge());

  let toastTimer: ReturnType<typeof setTimeout> | undefined;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;

  const refreshCampaigns = async () => {
    try {
      await store.setMeta(CAMPAIGNS_KEY, await api.campaigns());
    } catch {
      // offline or expired session: the cached list stays
    }
  };

  const ctx: AppContext = {
    store,
    api,
    scheduler,
    territory: loadTerritory,
    session: () => api.session(),
    navigate: (path) => {
      history.pushState(null, '', path);
      void route(true);
    },
    changed: () => {
      void updateBadge();
      for (const l of listeners) l();
    },
    onChange: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    notify: (msg) => {
      toast.textContent = msg;
      clearTimeout(toastTimer);
      toastTimer = setTimeout(() => (toast.textContent = ''), 5000);
    },
    afterSave: () => {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(() => void scheduler.request('save'), 800);
      void navigator.serviceWorker?.ready
        .then((r) => (r as ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }).sync?.register(BG_SYNC_TAG))
        .catch(() => undefined);
    },
    persisted: async () => {
      if (navigator.storage?.persisted) return navigator.storage.persisted();
      return store.getMeta<boolean>(PERSIST_KEY);
    },
    campaigns: async () => (await store.getMeta<Campaign[]>(CAMPAIGNS_KEY)) ?? [],
  };

  scheduler.subscribe((s) => {
    if (s.phase === 'idle' && s.result) {
      void refreshCampaigns().then(() => ctx.changed());
    }
  });

  let cleanup: (() => void) | void;
  const route = async (focus = false) => {
    if (typeof cleanup === 'function') cleanup();
    cleanup = undefined;
    main.replaceChildren();
    const path = location.pathname.replace(/\/+$/, '') || '/';
    const session = await api.session();
    for (const a of nav.querySelectorAll('a')) {
      const href = a.getAttribute('href')!;
      const current = href === '/' ? path === '/' : path.startsWith(href);
      if (current) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    nav.hidden = !session || path === '/connexion';
    if (session && path !== '/connexion' && !path.startsWith('/console')) await wasmReady;
    if (path.startsWith('/console')) consoleView(main);
    else if (!session || path === '/connexion') {
      loginView(
        ctx,
        main,
        () => {
          void (async () => {
            if (navigator.storage?.persist) await store.setMeta(PERSIST_KEY, await navigator.storage.persist());
            await refreshCampaigns();
            await wasmReady;
            ctx.navigate('/');
            void scheduler.request('login');
          })();
        },
        session?.user.email,
      );
    } else if (path === '/') cleanup = await homeView(ctx, main);
    else if (path === '/nouvelle') cleanup = await formView(ctx, main);
    else if (path.startsWith('/contributions/')) cleanup = await formView(ctx, main, decodeURIComponent(path.split('/')[2] ?? ''));
    else if (path === '/contributions') cleanup = await mineView(ctx, main);
    else if (path === '/tournee') cleanup = await outingView(ctx, main);
    else if (path === '/reglages') {
      cleanup = await settingsView(ctx, main, () => {
        void api.logout().then(() => ctx.navigate('/connexion'));
      });
    } else ctx.navigate('/');
    if (focus) (main.querySelector('h1') as HTMLElement | null)?.setAttribute('tabindex', '-1');
    if (focus) (main.querySelector('h1') as HTMLElement | null)?.focus();
    void updateBadge();
  };

  document.addEventListener('click', (e) => {
    const a = (e.target as Element).closest?.('a[data-link]') as HTMLAnchorElement | null;
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    ctx.navigate(a.getAttribute('href')!);
  });
  window.addEventListener('popstate', () => void route(true));

  navigator.serviceWorker?.addEventListener('message', (e: MessageEvent) => {
    if ((e.data as { type?: string } | null)?.type === BG_SYNC_TAG) void wasmReady.then(() => scheduler.request('background'));
  });

  await route();
  await wasmReady;
  scheduler.start();
  if (await api.session()) void scheduler.request('startup');
  // Test hook: lets the browser tests reach the layers (read-only use).
  (window as unknown as { porteVoix: unknown }).porteVoix = { store, scheduler };
}

if ('serviceWorker' in navigator && import.meta.env.PROD) registerSW({ immediate: true });
void boot();
