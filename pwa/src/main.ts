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
import type { ConsoleHandle } from './console/console';
import { consoleView, isStaff } from './views/console';
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
  const fieldShell = [
    h('a', { class: 'skip', href: '#main' }, fr.skipToContent),
    h('header', { class: 'topbar' }, h('span', { class: 'brand' }, fr.appName), netBadge),
    main,
    toast,
    nav,
  ];
  // The console (officer, communes, the answer page) has its own landmarks.
  const consoleRoot = h('div', { id: 'console-root', hidden: true });
  app.replaceChildren(...fieldShell, consoleRoot);
  let consoleHandle: ConsoleHandle | undefined;
  const showConsole = (on: boolean) => {
    // style, not `hidden`: the field app's CSS gives these a display of their own
    for (const el of fieldShell) el.style.display = on ? 'none' : '';
    consoleRoot.hidden = !on;
    if (!on && consoleHandle) {
      consoleHandle.unmount();
      consoleHandle = undefined;
    }
  };
  let schedulerStarted = false;
  /** Field sync is for volunteers only (staff accounts do not sync). */
  const startScheduler = () => {
    if (schedulerStarted) return;
    schedulerStarted = true;
    scheduler.start();
  };

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
    let path = location.pathname.replace(/\/+$/, '') || '/';
    const session = await api.session();
    // After login: an officer or a commune account works in the console, a
    // volunteer in the field app; the answer page needs no account.
    const answerPage = path.startsWith('/console/repondre');
    const staff = isStaff(session) && !session?.needs_login;
    if (staff && !answerPage && path !== '/connexion' && !path.startsWith('/console')) {
      history.replaceState(null, '', '/console');
      path = '/console';
    } else if (session && !staff && !session.needs_login && path.startsWith('/console') && !answerPage) {
      history.replaceState(null, '', '/');
      path = '/';
    }
    if (answerPage || (staff && path.startsWith('/console'))) {
      if (typeof cleanup === 'function') cleanup();
      cleanup = undefined;
      if (consoleHandle) consoleHandle.update();
      else {
        showConsole(true);
        consoleHandle = await consoleView(consoleRoot, api, session, () => {
          void api.logout().then(() => ctx.navigate('/connexion'));
        });
      }
      return;
    }
    showConsole(false);
    if (typeof cleanup === 'function') cleanup();
    cleanup = undefined;
    main.replaceChildren();
    for (const a of nav.querySelectorAll('a')) {
      const href = a.getAttribute('href')!;
      const current = href === '/' ? path === '/' : path.startsWith(href);
      if (current) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    nav.hidden = !session || path === '/connexion';
    if (session && path !== '/connexion' && !path.startsWith('/console')) await wasmReady;
    if (!session || path === '/connexion' || (session.needs_login && path.startsWith('/console'))) {
      const wanted = path.startsWith('/console') ? location.pathname + location.search : '/console';
      loginView(
        ctx,
        main,
        () => {
          void (async () => {
            const s = await api.session();
            if (isStaff(s)) {
              ctx.navigate(wanted);
              return;
            }
            if (navigator.storage?.persist) await store.setMeta(PERSIST_KEY, await navigator.storage.persist());
            await refreshCampaigns();
            await wasmReady;
            ctx.navigate('/');
            startScheduler();
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
  const startSession = await api.session();
  if (!isStaff(startSession)) startScheduler();
  if (startSession && !isStaff(startSession)) void scheduler.request('startup');
  // Test hook: lets the browser tests reach the layers (read-only use).
  (window as unknown as { porteVoix: unknown }).porteVoix = { store, scheduler };
}

if ('serviceWorker' in navigator && import.meta.env.PROD) registerSW({ immediate: true });
void boot();
