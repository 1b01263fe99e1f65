// New / edit contribution: built for a doorstep. Kind in one tap, themes as
// chips, a big dictation-friendly text field, the place from GPS at once (or
// the map, or the commune list), and « Enregistrer » writes to IndexedDB
// before anything else happens — with or without network.
import { currentCampaign, type AppContext } from '../app/context';
import { uuid } from '../documents/automerge';
import { createContribution, readContribution, updateContribution } from '../documents/contribution';
import {
  AGE,
  DISTRICT,
  GENDER,
  KINDS,
  RELATION,
  TEXT_MAX,
  THEMES,
  type ContributionInput,
  type Kind,
  type Location,
  type Respondent,
} from '../documents/types';
import type { Placement } from '../geo/lookup';
import { fr } from '../i18n/fr';
import { currentOuting } from './home';
import { communeMap } from './map';
import { h, replace, uid } from './dom';

const GOOD_ACCURACY_M = 100;
const DRAFT_KEY = 'pv.draft.new';

interface FormState {
  kind?: Kind;
  themes: string[];
  text: string;
  location?: Location;
  declared_commune?: string;
  respondent: Respondent;
  consent: boolean;
  consentAt?: string;
  contact: { name: string; phone: string; email: string };
}

function emptyState(): FormState {
  return { themes: [], text: '', respondent: {}, consent: false, contact: { name: '', phone: '', email: '' } };
}

function loadDraft(): FormState | undefined {
  try {
    const raw = localStorage.getItem(DRAFT_KEY);
    return raw ? { ...emptyState(), ...(JSON.parse(raw) as Partial<FormState>) } : undefined;
  } catch {
    return undefined;
  }
}

export function placementLabel(p: Placement | undefined): string {
  if (!p || !p.commune_name) return p?.outside ? fr.form.outside : fr.form.noLocation;
  return p.arrondissement_name ? `${p.commune_name} — ${p.arrondissement_name}` : p.commune_name;
}

export async function formView(ctx: AppContext, root: HTMLElement, editId?: string): Promise<() => void> {
  const [session, campaigns, outing, territory] = await Promise.all([
    ctx.session(),
    ctx.campaigns(),
    currentOuting(ctx),
    ctx.territory(),
  ]);
  const campaign = currentCampaign(campaigns);
  const me = session?.user.id ?? '';

  let st: FormState = emptyState();
  let original: ContributionInput | undefined;
  if (editId) {
    const doc = await ctx.store.load(editId);
    if (!doc) {
      ctx.navigate('/contributions');
      return () => {};
    }
    const v = readContribution(doc);
    original = v;
    const contact = await ctx.store.getContact(editId);
    st = {
      kind: v.kind,
      themes: [...v.themes],
      text: v.text,
      respondent: { ...(v.respondent ?? {}) },
      consent: v.consent.contact,
      contact: { name: contact?.name ?? '', phone: contact?.phone ?? '', email: contact?.email ?? '' },
    };
    if (v.location) st.location = v.location;
    if (v.declared_commune) st.declared_commune = v.declared_commune;
    if (v.consent.at) st.consentAt = v.consent.at;
  } else {
    st = loadDraft() ?? st;
  }
  const saveDraft = () => {
    if (!editId) localStorage.setItem(DRAFT_KEY, JSON.stringify(st));
  };

  const errors = h('div', { class: 'error', role: 'alert', id: 'form-errors' });

  // ── kind ──
  const kindName = uid('kind');
  const kindSet = h(
    'fieldset',
    { class: 'kinds' },
    h('legend', {}, fr.kinds.legend),
    KINDS.map((k) => {
      const id = uid('kind');
      const input = h('input', { type: 'radio', name: kindName, id, value: k, checked: st.kind === k, class: 'visually-hidden-input' });
      input.addEventListener('change', () => {
        st.kind = k;
        saveDraft();
      });
      return h('div', { class: 'choice' }, input, h('label', { for: id }, fr.kinds[k]));
    }),
  );

  // ── themes ──
  const themeCodes = campaign?.themes?.length ? campaign.themes : [...THEMES];
  for (const t of st.themes) if (!themeCodes.includes(t)) themeCodes.push(t);
  const themeSet = h(
    'fieldset',
    { class: 'chips' },
    h('legend', {}, fr.themes.legend),
    themeCodes.map((t) => {
      const id = uid('theme');
      const input = h('input', { type: 'checkbox', id, value: t, checked: st.themes.includes(t), class: 'visually-hidden-input' });
      input.addEventListener('change', () => {
        st.themes = input.checked ? [...st.themes, t] : st.themes.filter((x) => x !== t);
        saveDraft();
      });
      return h('div', { class: 'chip' }, input, h('label', { for: id }, fr.themes[t] ?? t));
    }),
  );

  // ── text ──
  const text = h('textarea', {
    id: 'text',
    name: 'text',
    rows: 6,
    maxlength: TEXT_MAX,
    required: true,
    'aria-describedby': 'text-hint',
    autocapitalize: 'sentences',
    spellcheck: 'true',
    lang: 'fr',
  });
  text.value = st.text;
  text.addEventListener('input', () => {
    st.text = text.value;
    saveDraft();
  });

  // ── location ──
  const locStatus = h('p', { id: 'loc-status', class: 'loc-status', role: 'status', 'aria-live': 'polite' });
  const locCommune = h('p', { id: 'loc-commune', class: 'loc-commune' });
  const communeSel = h(
    'select',
    { id: 'commune', name: 'commune' },
    h('option', { value: '' }, fr.form.chooseCommune),
    territory
      .communes()
      .concat(territory.areas.filter((a) => a.type === 'ARM').map((a) => ({ code: a.code, nom: a.nom })))
      .sort((a, b) => a.nom.localeCompare(b.nom, 'fr', { numeric: true }))
      .map((c) => h('option', { value: c.code }, c.nom)),
  );
  const mapWrap = h('div', { class: 'map-wrap', hidden: true });
  const mapBtn = h('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false', id: 'map-toggle' }, fr.form.showMap);
  const gpsBtn = h('button', { type: 'button', class: 'secondary', id: 'gps-retry' }, fr.form.gpsRetry);

  let watchId: number | undefined;
  let gpsFailed = false;
  const stopGps = () => {
    if (watchId !== undefined) navigator.geolocation.clearWatch(watchId);
    watchId = undefined;
  };
  const placement = (): Placement | undefined => (st.location ? territory.locate(st.location.lat, st.location.lon) : undefined);

  const showLocation = () => {
    const p = placement();
    const loc = st.location;
    if (!loc) locStatus.textContent = gpsFailed ? fr.form.gpsOff : watchId !== undefined ? fr.form.gpsWaiting : fr.form.noLocation;
    else if (loc.source === 'gps') {
      const acc = Math.round(loc.accuracy_m ?? 0);
      locStatus.textContent = acc > GOOD_ACCURACY_M ? fr.form.gpsPoor(acc) : fr.form.gpsAccuracy(acc);
    } else locStatus.textContent = loc.source === 'map' ? fr.form.mapSource : fr.form.communeSource;
    const declared = st.declared_commune ? territory.area(st.declared_commune) : undefined;
    replace(locCommune, 
      h('strong', {}, declared && loc?.source !== 'gps' ? declared.nom : placementLabel(p)),
      p?.near_border ? h('span', { class: 'badge warn', id: 'near-border' }, fr.form.nearBorder) : null,
    );
    if (p?.near_border && !st.declared_commune) locCommune.append(h('span', { class: 'hint' }, fr.form.nearBorderHelp));
    communeSel.value = st.declared_commune ?? p?.arrondissement ?? p?.commune ?? '';
  };

  const startGps = () => {
    if (!('geolocation' in navigator)) {
      gpsFailed = true;
      showLocation();
      return;
    }
    stopGps();
    gpsFailed = false;
    let fixes = 0;
    watchId = navigator.geolocation.watchPosition(
      (pos) => {
        const acc = pos.coords.accuracy;
        // The first fix of this watch always wins (a draft's fix may be from another door); then the best one.
        const prev = st.location;
        if (fixes++ > 0 && prev?.source === 'gps' && prev.accuracy_m !== undefined && prev.accuracy_m < acc) return;
        st.location = {
          lat: pos.coords.latitude,
          lon: pos.coords.longitude,
          accuracy_m: Math.round(acc * 10) / 10,
          source: 'gps',
          captured_at: new Date(pos.timestamp || Date.now()).toISOString(),
        };
        delete st.declared_commune;
        saveDraft();
        showLocation();
      },
      () => {
        gpsFailed = true;
        stopGps();
        showLocation();
      },
      { enableHighAccuracy: true, maximumAge: 0, timeout: 30_000 },
    );
    showLocation();
  };

  communeSel.addEventListener('change', () => {
    const code = communeSel.value;
    if (!code) {
      delete st.declared_commune;
      showLocation();
      return;
    }
    const p = placement();
    const goodGps = st.location?.source === 'gps' && (st.location.accuracy_m ?? Infinity) <= GOOD_ACCURACY_M;
    st.declared_commune = code;
    const agrees = p?.commune === code || p?.arrondissement === code;
    if (!(goodGps && (agrees || p?.near_border)) && !(st.location?.source === 'map' && agrees)) {
      // No usable point for this commune: place the contribution inside it.
      stopGps();
      const pt = territory.interiorPoint(code);
      if (pt) st.location = { ...pt, source: 'commune', captured_at: new Date().toISOString() };
    }
    saveDraft();
    showLocation();
  });

  mapBtn.addEventListener('click', () => {
    const open = mapWrap.hidden;
    mapWrap.hidden = !open;
    mapBtn.setAttribute('aria-expanded', String(open));
    mapBtn.textContent = open ? fr.form.hideMap : fr.form.showMap;
    if (open && !mapWrap.firstChild) {
      mapWrap.append(
        communeMap(
          territory,
          (lat, lon) => {
            stopGps();
            st.location = { lat, lon, source: 'map', captured_at: new Date().toISOString() };
            delete st.declared_commune;
            saveDraft();
            showLocation();
          },
          st.location,
        ),
      );
    }
  });
  gpsBtn.addEventListener('click', startGps);

  // ── respondent ──
  const sel = (key: keyof Respondent, label: string, values: readonly string[], names: Record<string, string>) => {
    const id = uid('resp');
    const s = h(
      'select',
      { id, name: key },
      h('option', { value: '' }, fr.form.unset),
      values.map((v) => h('option', { value: v, selected: st.respondent[key] === v }, names[v] ?? v)),
    );
    s.addEventListener('change', () => {
      if (s.value) st.respondent[key] = s.value;
      else delete st.respondent[key];
      saveDraft();
    });
    return [h('label', { for: id }, label), s];
  };
  const respondentBox = h(
    'details',
    { class: 'card', open: Object.keys(st.respondent).length > 0 },
    h('summary', {}, fr.form.respondent),
    sel('age', fr.form.age, AGE, fr.respondent.age),
    sel('gender', fr.form.gender, GENDER, fr.respondent.gender),
    sel('relation', fr.form.relation, RELATION, fr.respondent.relation),
    sel('district', fr.form.district, DISTRICT, fr.respondent.district),
  );

  // ── consent and contact ──
  const contactFields = h('div', { hidden: !st.consent, id: 'contact-fields' });
  const field = (key: 'name' | 'phone' | 'email', label: string, type: string, autocomplete: string) => {
    const id = uid('contact');
    const input = h('input', { id, type, name: key, value: st.contact[key], autocomplete });
    input.addEventListener('input', () => {
      st.contact[key] = input.value;
      saveDraft();
    });
    return [h('label', { for: id }, label), input];
  };
  contactFields.append(
    ...field('name', fr.form.contactName, 'text', 'off'),
    ...field('phone', fr.form.contactPhone, 'tel', 'off'),
    ...field('email', fr.form.contactEmail, 'email', 'off'),
    h('p', { class: 'hint' }, fr.form.contactNote),
  );
  const consentId = uid('consent');
  const consentBox = h('input', { type: 'checkbox', id: consentId, checked: st.consent });
  consentBox.addEventListener('change', () => {
    st.consent = consentBox.checked;
    st.consentAt = st.consent ? new Date().toISOString() : undefined;
    contactFields.hidden = !st.consent;
    saveDraft();
  });
  const contactBox = h(
    'details',
    { class: 'card', open: st.consent },
    h('summary', {}, fr.form.contactSection),
    h('div', { class: 'check' }, consentBox, h('label', { for: consentId }, fr.form.consent)),
    contactFields,
  );

  // ── save ──
  const saveBtn = h('button', { type: 'submit', class: 'primary big', id: 'save' }, fr.form.save);
  // « Annuler » drops the draft (a new form otherwise reopens with it: a reload
  // or an app update in the middle of a conversation loses nothing).
  const cancelBtn = h('button', { type: 'button', class: 'secondary', id: 'cancel' }, fr.form.cancel);
  cancelBtn.addEventListener('click', () => {
    if (!editId) localStorage.removeItem(DRAFT_KEY);
    stopGps();
    ctx.navigate(editId ? '/contributions' : '/');
  });
  const form = h(
    'form',
    { class: 'contribution-form', novalidate: true },
    errors,
    kindSet,
    h('label', { for: 'text', class: 'big-label' }, fr.form.text),
    h('p', { id: 'text-hint', class: 'hint' }, fr.form.textHint),
    text,
    themeSet,
    h(
      'fieldset',
      { class: 'card location' },
      h('legend', {}, fr.form.location),
      locStatus,
      locCommune,
      h('label', { for: 'commune' }, fr.form.commune),
      communeSel,
      h('div', { class: 'row' }, gpsBtn, mapBtn),
      mapWrap,
    ),
    respondentBox,
    contactBox,
    h('div', { class: 'sticky-actions' }, saveBtn),
    cancelBtn,
  );

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      const problems: [string, HTMLElement][] = [];
      if (!st.kind) problems.push([fr.form.kindRequired, kindSet.querySelector('input')!]);
      if (!st.text.trim()) problems.push([fr.form.textRequired, text]);
      // The limit counts Unicode code points, as the server does (not UTF-16 units).
      if ([...st.text].length > TEXT_MAX) problems.push([fr.form.textTooLong, text]);
      if (problems.length) {
        errors.replaceChildren(...problems.map(([m]) => h('p', {}, m)));
        text.setAttribute('aria-invalid', String(problems.some(([, el]) => el === text)));
        problems[0]![1].focus();
        return;
      }
      saveBtn.disabled = true;
      try {
        const input: ContributionInput = {
          campaign: original?.campaign || campaign?.id || outing?.campaign || '',
          kind: st.kind!,
          themes: st.themes,
          text: st.text,
          respondent: st.respondent,
          consent: st.consent ? { contact: true, at: st.consentAt ?? new Date().toISOString() } : { contact: false },
        };
        const outingId = original?.outing ?? outing?.id;
        if (outingId) input.outing = outingId;
        if (st.location) input.location = st.location;
        if (st.declared_commune) input.declared_commune = st.declared_commune;
        const id = editId ?? uuid();
        if (editId) await ctx.store.change(id, (d) => updateContribution(d, input));
        else await ctx.store.create(id, 'contribution', createContribution(id, me, input));
        const c = st.contact;
        if (st.consent && (c.name.trim() || c.phone.trim() || c.email.trim())) {
          await ctx.store.putContact({
            contribution_id: id,
            name: c.name.trim() || null,
            phone: c.phone.trim() || null,
            email: c.email.trim() || null,
          });
        } else if (!st.consent) await ctx.store.deleteContact(id);
        if (!editId) localStorage.removeItem(DRAFT_KEY);
        stopGps();
        ctx.notify(editId ? fr.form.updated : fr.form.saved);
        ctx.changed();
        ctx.afterSave();
        ctx.navigate(editId ? '/contributions' : '/');
      } finally {
        saveBtn.disabled = false;
      }
    })();
  });

  root.append(h('h1', {}, editId ? fr.form.editTitle : fr.form.newTitle), form);
  if (!editId && (!st.location || st.location.source === 'gps')) startGps();
  else showLocation();
  performance.mark('pv-form-ready');
  return stopGps;
}

