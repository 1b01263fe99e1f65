import { CURRENT_OUTING_KEY, currentCampaign, type AppContext } from '../app/context';
import { readOuting } from '../documents/outing';
import type { OutingView } from '../documents/types';
import { fr } from '../i18n/fr';
import { LAST_SYNC_KEY } from '../network/sync';
import { h, replace } from './dom';
import { syncStatusLine } from './sync-status';

export async function currentOuting(ctx: AppContext): Promise<OutingView | undefined> {
  const all = (await ctx.store.loadAll('outing')).map((o) => readOuting(o.doc));
  if (!all.length) return undefined;
  const chosen = await ctx.store.getMeta<string>(CURRENT_OUTING_KEY);
  const today = new Date().toISOString().slice(0, 10);
  return (
    all.find((o) => o.id === chosen) ??
    all.find((o) => o.date === today) ??
    all.sort((a, b) => b.date.localeCompare(a.date))[0]
  );
}

export async function homeView(ctx: AppContext, root: HTMLElement): Promise<() => void> {
  const session = await ctx.session();
  const body = h('div');
  root.append(h('h1', { class: 'visually-hidden' }, fr.home.title), body);

  const render = async () => {
    const [campaigns, outing, counts, last, persisted] = await Promise.all([
      ctx.campaigns(),
      currentOuting(ctx),
      ctx.store.counts('contribution'),
      ctx.store.getMeta<string>(LAST_SYNC_KEY),
      ctx.persisted(),
    ]);
    const campaign = currentCampaign(campaigns);
    const syncBtn = h('button', { type: 'button', class: 'secondary big', id: 'sync-now' }, fr.home.sync);
    syncBtn.addEventListener('click', () => void ctx.scheduler.request('manual'));
    replace(body, 
      session ? h('p', { class: 'hello' }, fr.home.hello(session.user.name || session.user.email)) : null,
      h(
        'section',
        { class: 'card context', 'aria-label': fr.home.campaign },
        h('p', {}, h('span', { class: 'label' }, fr.home.campaign + ' : '), h('strong', {}, campaign?.name ?? fr.home.noCampaign)),
        h(
          'p',
          {},
          h('span', { class: 'label' }, fr.home.outing + ' : '),
          outing ? h('a', { href: '/tournee', 'data-link': '' }, `${outing.place} — ${outing.date}`) : fr.home.noOuting,
        ),
      ),
      h('a', { href: '/nouvelle', 'data-link': '', class: 'button primary huge', id: 'new-contribution' }, fr.home.newContribution),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'counters-title' },
        h('h2', { id: 'counters-title' }, fr.home.counters),
        h(
          'dl',
          { class: 'counters' },
          h('div', { class: 'counter pending' }, h('dt', {}, fr.home.onPhone), h('dd', { id: 'count-pending' }, counts.pending)),
          h('div', { class: 'counter received' }, h('dt', {}, fr.home.received), h('dd', { id: 'count-received' }, counts.received)),
          h('div', { class: 'counter refused' }, h('dt', {}, fr.home.refused), h('dd', { id: 'count-refused' }, counts.refused)),
        ),
        h('p', {}, fr.home.lastSync + ' : ', h('span', { id: 'last-sync' }, last ? fr.time(new Date(last)) : fr.home.never)),
        syncStatusLine(ctx),
        syncBtn,
      ),
      persisted === false ? h('p', { class: 'warning', role: 'note' }, fr.settings.notPersisted) : null,
    );
  };
  await render();
  const off = ctx.onChange(() => void render());
  return off;
}
