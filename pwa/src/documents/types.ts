// The document schemas of docs/SYNC-PROTOCOL.md, as the phone reads them.
// Stored strings are Automerge Text or ImmutableString; these are the plain
// views the app works with (see `readContribution`, `readOuting`).

export const KINDS = ['concern', 'expectation', 'proposal'] as const;
export type Kind = (typeof KINDS)[number];

export const THEMES = [
  'cleanliness',
  'water',
  'mobility',
  'social',
  'housing',
  'urban_development',
  'economy',
  'education',
  'culture',
  'ecology',
  'health',
  'safety',
  'local_democracy',
] as const;

export const AGE = ['under_18', '18_29', '30_44', '45_59', '60_74', '75_plus'] as const;
export const GENDER = ['woman', 'man', 'other', 'undisclosed'] as const;
export const RELATION = ['resident', 'worker', 'association', 'business'] as const;
export const DISTRICT = ['priority', 'urban', 'suburban', 'rural'] as const;

export const DOOR_STATUSES = ['visite', 'absent', 'refus', 'a_revoir'] as const;
export type DoorStatus = (typeof DOOR_STATUSES)[number];

export type LocationSource = 'gps' | 'map' | 'commune';

export interface Location {
  lat: number;
  lon: number;
  accuracy_m?: number;
  source: LocationSource;
  captured_at: string;
}

export interface Respondent {
  age?: string;
  gender?: string;
  relation?: string;
  district?: string;
}

export interface ContributionInput {
  campaign: string;
  outing?: string;
  kind: Kind;
  themes: string[];
  text: string;
  location?: Location;
  declared_commune?: string;
  respondent?: Respondent;
  consent: { contact: boolean; at?: string };
}

export interface Geo {
  commune: string;
  commune_name?: string;
  arrondissement?: string;
  arrondissement_name?: string;
  near_border: boolean;
  outside: boolean;
}

export interface ContributionView extends ContributionInput {
  id: string;
  author: string;
  created_at: string;
  geo?: Geo;
  review?: { status: string; notes?: string };
}

export interface Door {
  key: string;
  address: string;
  status: DoorStatus;
  by: string;
  at: string;
  note: string;
}

export interface OutingView {
  id: string;
  campaign: string;
  date: string;
  place: string;
  team: string[];
  doors: Door[];
}

export type DocType = 'contribution' | 'outing';

export const TEXT_MAX = 5000;
