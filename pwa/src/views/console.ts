// The entry to the console (officer and communes): a dynamic import, so the
// console's code (Preact, signals, d3-geo, its strings) is its own chunk,
// fetched only when /console opens and kept out of the field app's precache.
import type { ConsoleHandle } from '../console/console';
import { fr } from '../i18n/fr';
import type { Api, Session } from '../network/api';
import { h } from './dom';

type Outlines = { features: { properties: { code: string; nom: string; type: string; parent?: string | null } }[] };

/** The outlines' GeoJSON (the field app's precached chunk), for names and maps. */
async function loadTerritoryGeoJson(): Promise<Outlines> {
  const m = await import('../geo/territory.json');
  return (m.default ?? m) as unknown as Outlines;
}

export const isStaff = (s: Session | undefined): boolean => s?.user.role === 'officer' || s?.user.role === 'commune';

/** Mounts the console in `root` (shows words while the chunk loads, or if it cannot). */
export async function consoleView(root: HTMLElement, api: Api, session: Session | undefined, logout: () => void): Promise<ConsoleHandle | undefined> {
  const waiting = h('p', { class: 'state', role: 'status' }, fr.loading);
  root.replaceChildren(waiting);
  try {
    const { mountConsole } = await import('../console/console');
    root.replaceChildren();
    return await mountConsole(root, { api, session, territory: loadTerritoryGeoJson, logout });
  } catch {
    root.replaceChildren(h('main', { id: 'console-main' }, h('h1', {}, fr.console.title), h('p', { role: 'alert' }, fr.console.loadFailed)));
    return undefined;
  }
}
