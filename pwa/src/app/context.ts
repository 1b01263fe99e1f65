// What every view receives: the layers (store, network, sync) and the small
// state shared between screens. Views never talk to IndexedDB or fetch directly.
import type { Territory } from '../geo/lookup';
import type { Api, Campaign, Session } from '../network/api';
import type { SyncScheduler } from '../network/scheduler';
import type { LocalStore } from '../storage/store';

export interface AppContext {
  store: LocalStore;
  api: Api;
  scheduler: SyncScheduler;
  territory: () => Promise<Territory>;
  session: () => Promise<Session | undefined>;
  navigate: (path: string) => void;
  /** Tells open views that local data changed (a save, a sync reply). */
  changed: () => void;
  onChange: (fn: () => void) => () => void;
  /** A short message for the volunteer, read by screen readers. */
  notify: (msg: string) => void;
  /** Local save done: sync soon if the network is there. */
  afterSave: () => void;
  persisted: () => Promise<boolean | undefined>;
  campaigns: () => Promise<Campaign[]>;
}

export const CAMPAIGNS_KEY = 'campaigns';
export const CURRENT_OUTING_KEY = 'outing.current';
export const OWNER_KEY = 'owner';
export const PERSIST_KEY = 'storage.persisted';

export function currentCampaign(cs: Campaign[], today = new Date().toISOString().slice(0, 10)): Campaign | undefined {
  return cs.find((c) => c.starts_on <= today && today <= c.ends_on) ?? cs[0];
}
