// « Mes contributions »: each with where it stands — on the phone, received,
// refused (with the server's reason) — and, once synced back, the officer's
// processing status.
import type { AppContext } from '../app/context';
import { str } from '../documents/automerge';
import { readContribution, reviewStatus } from '../documents/contribution';
import { fr } from '../i18n/fr';
import type { DocRecord } from '../storage/db';
import { h } from './dom';
import { placementLabel } from './form';

export function stateLabel(rec: DocRecord): { text: string; cls: string } {
  if (rec.sync === 'received') return { text: fr.mine.stateReceived, cls: 'received' };
  if (rec.sync === 'refused') return { text: fr.mine.refusedReason(rec.reason ?? ''), cls: 'refused' };
  return { text: fr.mine.stateOnPhone, cls: 'pending' };
}

/** The answers brought back to this contribution (its `follow_up`, written by the server). */
export function answersOf(doc: unknown): { to: string; answer: string }[] {
  const list = (doc as { follow_up?: unknown }).follow_up;
  if (!Array.isArray(list)) return [];
  return list
    .map((f) => f as { to?: unknown; answer?: unknown })
    .map((f) => ({ to: str(f.to) ?? '', answer: str(f.answer) ?? '' }))
    .filter((f) => f.answer !== '');
}

export async function mineView(ctx: AppContext, root: HTMLElement): Promise<() => void> {
  const session = await ctx.session();
  const territory = await ctx.territory();
  const list = h('ul', { class: 'contributions', id: 'my-contributions' });
  root.append(h('h1', {}, fr.mine.title), list);

  const render = async () => {
    const items = (await ctx.store.loadAll('contribution'))
      .map(({ record, doc }) => ({ record, v: readContribution(doc), answers: answersOf(doc) }))
      .filter(({ v }) => !session || v.author === session.user.id)
      .sort((a, b) => b.v.created_at.localeCompare(a.v.created_at));
    if (!items.length) {
      list.replaceChildren(h('li', { class: 'empty' }, fr.mine.empty));
      return;
    }
    list.replaceChildren(
      ...items.map(({ record, v, answers }) => {
        const state = stateLabel(record);
        const where = v.geo?.commune_name
          ? [v.geo.commune_name, v.geo.arrondissement_name].filter(Boolean).join(' — ')
          : v.location
            ? placementLabel(territory.locate(v.location.lat, v.location.lon))
            : v.declared_commune
              ? (territory.area(v.declared_commune)?.nom ?? v.declared_commune)
              : fr.form.noLocation;
        const nearBorder = v.geo ? v.geo.near_border : v.location ? territory.locate(v.location.lat, v.location.lon).near_border : false;
        const excerpt = v.text.length > 140 ? v.text.slice(0, 140) + '…' : v.text;
        const titleId = `c-${v.id}`;
        return h(
          'li',
          { class: 'card contribution', 'data-id': v.id, 'aria-labelledby': titleId },
          h(
            'p',
            { class: 'meta' },
            h('strong', { id: titleId }, fr.kinds[v.kind] ?? v.kind),
            ' · ',
            where,
            nearBorder ? ` (${fr.form.nearBorder})` : '',
            ' · ',
            fr.time(new Date(v.created_at)),
          ),
          h('p', { class: 'text' }, excerpt),
          h(
            'p',
            { class: 'states' },
            h('span', { class: `badge ${state.cls}`, 'data-state': record.sync }, state.text),
            record.sync === 'received' || v.review
              ? h('span', { class: 'badge review', 'data-review': reviewStatus(v) }, `${fr.mine.review} : ${fr.review[reviewStatus(v)] ?? reviewStatus(v)}`)
              : null,
          ),
          answers.map((a) => h('div', { class: 'answer' }, h('p', { class: 'meta' }, fr.mine.answer(a.to)), h('blockquote', {}, a.answer))),
          h(
            'a',
            { href: `/contributions/${v.id}`, 'data-link': '', class: 'button secondary', 'aria-describedby': titleId },
            fr.mine.edit,
          ),
        );
      }),
    );
  };
  await render();
  return ctx.onChange(() => void render());
}
