// The console's shell and router (officer and communes, /console). Loaded as
// its own chunk by views/console.ts; the field app's Api (session, refresh)
// is passed in. Landmarks: banner, navigation, main; a skip link; one live
// region for what an action did.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { signal } from '@preact/signals';
import { frConsole as t } from '../i18n/fr-console';
import type { Api, Session } from '../network/api';
import { ConsoleApi } from './api';
import { AnswerPage } from './screens/answer';
import { AssembliesScreen, AssemblyScreen } from './screens/assemblies';
import { DetailScreen } from './screens/detail';
import { FollowUpScreen } from './screens/followup';
import { InboxScreen } from './screens/inbox';
import { ListScreen } from './screens/list';
import { MapScreen } from './screens/map';
import { RecipientsScreen } from './screens/recipients';
import { ResidentsScreen } from './screens/residents';
import { VolunteersScreen } from './screens/volunteers';
import { StatsScreen } from './screens/stats';
import { TopicScreen, TopicsScreen } from './screens/topics';
import { announcement, type ConsoleCtx, Link } from './ui';
import './console.css';

export interface ConsoleDeps {
  api: Api;
  session: Session | undefined;
  /** Territory outlines (GeoJSON) for names and maps, from the precached chunk. */
  territory: () => Promise<{ features: { properties: { code: string; nom: string; type: string; parent?: string | null } }[] }>;
  logout: () => void;
}

export interface ConsoleHandle {
  /** The URL changed (back / forward, or a navigation from outside). */
  update: () => void;
  unmount: () => void;
}

const loc = signal({ path: location.pathname, search: location.search });

export const ANSWER_PATH = '/console/repondre';

function navigate(to: string): void {
  history.pushState(null, '', to);
  const u = new URL(to, location.origin);
  loc.value = { path: u.pathname, search: u.search };
}

interface Route {
  title: string;
  el: preact.JSX.Element;
  nav?: string;
}

function route(ctx: ConsoleCtx, path: string, search: string): Route {
  const p = path.replace(/\/+$/, '');
  const seg = p.split('/').slice(2).map(decodeURIComponent);
  const home = ctx.officer ? 'inbox' : 'list';
  const officerOnly = (r: Route): Route => (ctx.officer ? r : notFound());
  const notFound = (): Route => ({
    title: t.pageNotFoundTitle,
    el: (
      <section>
        <h1>{t.pageNotFoundTitle}</h1>
        <p>{t.pageNotFound}</p>
        <p>
          <Link href="/console/contributions">{t.backToList}</Link>
        </p>
      </section>
    ),
  });
  switch (seg[0] ?? home) {
    case 'inbox':
    case 'a-qualifier':
      return officerOnly({ title: t.inbox.title, nav: 'inbox', el: <InboxScreen ctx={ctx} /> });
    case 'list':
    case 'contributions':
      if (seg[1]) return { title: t.detail.title, nav: 'list', el: <DetailScreen ctx={ctx} id={seg[1]} key={seg[1]} /> };
      return { title: t.list.title, nav: 'list', el: <ListScreen ctx={ctx} search={search} /> };
    case 'sujets':
      // A commune reads the topics with members in its territory (read-only).
      if (seg[1]) return { title: t.topics.title, nav: 'topics', el: <TopicScreen ctx={ctx} id={seg[1]} key={seg[1]} /> };
      return { title: t.topics.title, nav: 'topics', el: <TopicsScreen ctx={ctx} /> };
    case 'suivi':
      return officerOnly({ title: t.followUp.title, nav: 'followUp', el: <FollowUpScreen ctx={ctx} /> });
    case 'carte':
      return { title: t.map.title, nav: 'map', el: <MapScreen ctx={ctx} search={search} /> };
    case 'statistiques':
      return { title: t.stats.title, nav: 'stats', el: <StatsScreen ctx={ctx} search={search} /> };
    case 'destinataires':
      return officerOnly({ title: t.recipients.title, nav: 'recipients', el: <RecipientsScreen ctx={ctx} /> });
    case 'benevoles':
      return officerOnly({ title: t.volunteers.title, nav: 'volunteers', el: <VolunteersScreen ctx={ctx} /> });
    case 'rgpd':
      return officerOnly({ title: t.residents.title, nav: 'residents', el: <ResidentsScreen ctx={ctx} /> });
    case 'assemblees':
      if (seg[1]) return officerOnly({ title: t.assemblies.title, nav: 'assemblies', el: <AssemblyScreen ctx={ctx} id={seg[1]} key={seg[1]} /> });
      return officerOnly({ title: t.assemblies.title, nav: 'assemblies', el: <AssembliesScreen ctx={ctx} /> });
    default:
      return notFound();
  }
}

function Shell({ ctx }: { ctx: ConsoleCtx }) {
  const { path, search } = loc.value;
  const r = route(ctx, path, search);
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  // A new screen: its title in the tab, focus on its heading (screen readers
  // hear where they are; keyboard users start from the top of the content).
  useEffect(() => {
    document.title = `${r.title} · ${t.brand}`;
    const h1 = document.querySelector<HTMLElement>('#console-main h1');
    if (h1) {
      h1.setAttribute('tabindex', '-1');
      h1.focus({ preventScroll: false });
    }
  }, [path]);
  const items: [string, string, string][] = ctx.officer
    ? [
        ['inbox', '/console/a-qualifier', t.nav.inbox],
        ['list', '/console/contributions', t.nav.list],
        ['topics', '/console/sujets', t.nav.topics],
        ['followUp', '/console/suivi', t.nav.followUp],
        ['map', '/console/carte', t.nav.map],
        ['stats', '/console/statistiques', t.nav.stats],
        ['recipients', '/console/destinataires', t.nav.recipients],
        ['assemblies', '/console/assemblees', t.nav.assemblies],
        ['volunteers', '/console/benevoles', t.nav.volunteers],
        ['residents', '/console/rgpd', t.nav.residents],
      ]
    : [
        ['list', '/console/contributions', t.nav.list],
        ['topics', '/console/sujets', t.nav.topics],
        ['map', '/console/carte', t.nav.map],
        ['stats', '/console/statistiques', t.nav.stats],
      ];
  const user = ctx.session.user;
  const communeName = user.commune ? (ctx.names.get(user.commune) ?? user.commune) : '';
  return (
    <div class="console">
      <a class="skip" href="#console-main">
        {t.skipToContent}
      </a>
      <header class="c-banner">
        <span class="c-brand">{t.brand}</span>
        <span class="c-user">
          {user.name} · {ctx.officer ? t.roleOfficer : t.roleCommune(communeName)}
        </span>
        <span class="c-net" data-online={String(online)}>
          {online ? t.online : t.offlineBadge}
        </span>
        <button type="button" class="c-logout" onClick={ctx.logout}>
          {t.logout}
        </button>
      </header>
      <nav class="c-nav" aria-label={t.navLabel}>
        <ul>
          {items.map(([key, href, label]) => (
            <li key={key}>
              <Link href={href} aria-current={r.nav === key ? 'page' : undefined}>
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="console-main" tabindex={-1} class="c-main">
        {!online && (
          <p class="state state-offline" role="status">
            {t.offline}
          </p>
        )}
        {r.el}
      </main>
      <div class="c-toast" role="status" aria-live="polite" id="console-toast">
        {announcement.value}
      </div>
    </div>
  );
}

function Standalone({ children }: { children: preact.ComponentChildren }) {
  return (
    <div class="console answer-page">
      <a class="skip" href="#console-main">
        {t.skipToContent}
      </a>
      <header class="c-banner">
        <span class="c-brand">{t.answerBrand}</span>
      </header>
      <main id="console-main" tabindex={-1} class="c-main">
        {children}
      </main>
      <div class="c-toast" role="status" aria-live="polite">
        {announcement.value}
      </div>
    </div>
  );
}

/** Mounts the console in `root`; the caller keeps the handle for URL changes and leaving. */
export async function mountConsole(root: HTMLElement, deps: ConsoleDeps): Promise<ConsoleHandle> {
  loc.value = { path: location.pathname, search: location.search };
  const onClick = (e: MouseEvent) => {
    const a = (e.target as Element).closest?.('a[data-console-link]') as HTMLAnchorElement | null;
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(a.getAttribute('href')!);
  };
  root.addEventListener('click', onClick);
  const handle: ConsoleHandle = {
    update: () => (loc.value = { path: location.pathname, search: location.search }),
    unmount: () => {
      root.removeEventListener('click', onClick);
      render(null, root);
    },
  };
  if (location.pathname.startsWith(ANSWER_PATH)) {
    render(
      <Standalone>
        <AnswerPage api={deps.api} />
      </Standalone>,
      root,
    );
    return handle;
  }
  const session = deps.session!;
  const names = new Map<string, string>();
  try {
    for (const f of (await deps.territory()).features) names.set(f.properties.code, f.properties.nom);
  } catch {
    // names fall back to codes
  }
  const ctx: ConsoleCtx = {
    api: new ConsoleApi(deps.api),
    session,
    officer: session.user.role === 'officer',
    names,
    navigate,
    logout: deps.logout,
  };
  render(<Shell ctx={ctx} />, root);
  return handle;
}
