// « Tournée »: the team's shared door log. Every phone of the team edits it
// offline; the server merges (Automerge) and sends each phone the others' doors.
import { CURRENT_OUTING_KEY, currentCampaign, type AppContext } from '../app/context';
import { uuid } from '../documents/automerge';
import { readContribution } from '../documents/contribution';
import { addDoor, createOuting, outingCounters, readOuting, setDoorNote, setDoorStatus } from '../documents/outing';
import { DOOR_STATUSES, type Door, type DoorStatus, type OutingView } from '../documents/types';
import { fr } from '../i18n/fr';
import { h, replace, uid } from './dom';
import { currentOuting } from './home';

export async function outingView(ctx: AppContext, root: HTMLElement): Promise<() => void> {
  const session = await ctx.session();
  const me = session?.user.id ?? '';
  const body = h('div');
  root.append(h('h1', {}, fr.outing.title), body);
  // Notes being typed survive a redraw (a teammate's doors arriving by sync).
  const noteDrafts = new Map<string, string>();
  let deferred = false;


  const statusGroup = (o: OutingView, d: Door) => {
    const name = uid('door');
    return h(
      'fieldset',
      { class: 'door-status' },
      h('legend', {}, h('span', { class: 'visually-hidden' }, `${fr.outing.status} — ${d.address}`)),
      DOOR_STATUSES.map((s) => {
        const id = uid('ds');
        const input = h('input', { type: 'radio', name, id, value: s, checked: d.status === s, class: 'visually-hidden-input' });
        input.addEventListener('change', () => {
          void ctx.store.change(o.id, (doc) => setDoorStatus(doc, d.key, s as DoorStatus, me)).then(() => {
            ctx.changed();
            ctx.afterSave();
          });
        });
        return h('div', { class: 'choice small' }, input, h('label', { for: id }, fr.doorStatus[s]));
      }),
    );
  };

  const doorItem = (o: OutingView, d: Door) => {
    const noteId = uid('note');
    const note = h('textarea', { id: noteId, rows: 2 });
    note.value = noteDrafts.get(d.key) ?? d.note;
    note.addEventListener('input', () => noteDrafts.set(d.key, note.value));
    const save = h('button', { type: 'button', class: 'secondary' }, fr.outing.saveNote);
    save.addEventListener('click', () => {
      const value = note.value;
      void ctx.store.change(o.id, (doc) => setDoorNote(doc, d.key, value)).then(() => {
        if (noteDrafts.get(d.key) === value) noteDrafts.delete(d.key);
        ctx.changed();
        ctx.afterSave();
      });
    });
    return h(
      'li',
      { class: 'card door', 'data-key': d.key },
      h('h3', {}, d.address),
      statusGroup(o, d),
      h('label', { for: noteId }, fr.outing.note, h('span', { class: 'visually-hidden' }, ` — ${d.address}`)),
      note,
      save,
    );
  };

  const createForm = async () => {
    const campaigns = await ctx.campaigns();
    const placeId = uid('place');
    const dateId = uid('date');
    const place = h('input', { id: placeId, required: true });
    const date = h('input', { id: dateId, type: 'date', value: new Date().toISOString().slice(0, 10), required: true });
    const f = h(
      'form',
      { class: 'card' },
      h('h2', {}, fr.outing.create),
      h('label', { for: placeId }, fr.outing.place),
      place,
      h('label', { for: dateId }, fr.outing.date),
      date,
      h('button', { type: 'submit', class: 'secondary' }, fr.outing.createSubmit),
    );
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!place.value.trim()) {
        place.focus();
        return;
      }
      void (async () => {
        const id = uuid();
        const campaign = currentCampaign(campaigns)?.id ?? '';
        await ctx.store.create(id, 'outing', createOuting(id, { campaign, date: date.value, place: place.value.trim(), team: [me] }));
        await ctx.store.setMeta(CURRENT_OUTING_KEY, id);
        ctx.changed();
        ctx.afterSave();
      })();
    });
    return f;
  };

  // The page is built once per outing (title, chooser, add-door form); a
  // change redraws only the counters and the door list, so a sync landing
  // while the volunteer types an address never swaps the form under them.
  let shownId: string | undefined;
  let shownCount = -1;
  const countersEl = h('dl', { class: 'counters' });
  const doorsEl = h('div');

  const renderShell = async (o: OutingView, all: OutingView[]) => {
    const chooserId = uid('outing');
    const chooser =
      all.length > 1
        ? h(
            'p',
            {},
            h('label', { for: chooserId }, fr.outing.choose),
            (() => {
              const s = h(
                'select',
                { id: chooserId },
                all.map((x) => h('option', { value: x.id, selected: x.id === o.id }, `${x.place} — ${x.date}`)),
              );
              s.addEventListener('change', () => void ctx.store.setMeta(CURRENT_OUTING_KEY, s.value).then(() => ctx.changed()));
              return s;
            })(),
          )
        : null;
    const addrId = uid('addr');
    const addr = h('input', { id: addrId, name: 'address', required: true, autocomplete: 'off' });
    const addForm = h(
      'form',
      { class: 'card add-door' },
      h('h2', {}, fr.outing.addDoor),
      h('label', { for: addrId }, fr.outing.address),
      addr,
      h('button', { type: 'submit', class: 'primary' }, fr.outing.addDoorSubmit),
    );
    addForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const address = addr.value.trim();
      if (!address) {
        addr.focus();
        return;
      }
      addr.value = '';
      void ctx.store.change(o.id, (doc) => addDoor(doc, uuid(), { address, status: 'visite', by: me })).then(() => {
        ctx.changed();
        ctx.afterSave();
      });
    });
    replace(
      body,
      h('p', { class: 'outing-title' }, h('strong', {}, o.place), ` — ${o.date}`),
      chooser,
      countersEl,
      addForm,
      h('h2', {}, fr.outing.doors),
      doorsEl,
      h('details', {}, h('summary', {}, fr.outing.create), await createForm()),
    );
  };

  const render = async () => {
    const o = await currentOuting(ctx);
    if (!o) {
      shownId = undefined;
      replace(body, h('p', {}, fr.outing.none), await createForm());
      return;
    }
    const all = (await ctx.store.loadAll('outing')).map((x) => readOuting(x.doc));
    const mine = (await ctx.store.loadAll('contribution')).filter(({ doc }) => readContribution(doc).outing === o.id).length;
    if (shownId !== o.id || shownCount !== all.length) {
      shownId = o.id;
      shownCount = all.length;
      await renderShell(o, all);
    }
    const c = outingCounters(o);
    replace(
      countersEl,
      h('div', { class: 'counter' }, h('dt', {}, fr.outing.doorsKnocked), h('dd', { id: 'doors-knocked' }, c.doorsKnocked)),
      h('div', { class: 'counter' }, h('dt', {}, fr.outing.conversations), h('dd', { id: 'conversations' }, c.conversations)),
      h('div', { class: 'counter' }, h('dt', {}, fr.outing.contributions), h('dd', { id: 'outing-contributions' }, mine)),
    );
    const a = document.activeElement;
    if (a && doorsEl.contains(a) && a.tagName === 'TEXTAREA') {
      deferRender(); // a note is being typed: redraw the list when it loses focus
      return;
    }
    replace(
      doorsEl,
      o.doors.length ? h('ul', { class: 'doors', id: 'doors' }, o.doors.map((d) => doorItem(o, d))) : h('p', {}, fr.outing.noDoors),
    );
  };
  function deferRender() {
    if (deferred) return;
    deferred = true;
    doorsEl.addEventListener(
      'focusout',
      () => {
        deferred = false;
        setTimeout(() => void render(), 0);
      },
      { once: true },
    );
  }
  await render();
  return ctx.onChange(() => void render());
}
