// Offline commune lookup: the same GeoJSON outlines the server uses, a bounding
// box filter, then point-in-polygon (even-odd, so holes work) and the distance
// to the outline for the « près d'une limite » flag. The server's geotag is the
// one stored; this is what the volunteer sees at once, with no network.

export const NEAR_BORDER_M = 150;

type Ring = [number, number][]; // [lon, lat]
type Polygon = Ring[];

export interface Area {
  code: string;
  nom: string;
  type: 'COM' | 'ARM';
  parent?: string;
  polygons: Polygon[];
  bbox: [number, number, number, number]; // minLon, minLat, maxLon, maxLat
}

export interface Placement {
  commune?: string;
  commune_name?: string;
  arrondissement?: string;
  arrondissement_name?: string;
  near_border: boolean;
  outside: boolean;
  /** Distance in metres from the point to the nearest outline of its area. */
  border_distance_m?: number;
}

interface GeoJsonFeature {
  properties: { code: string; nom: string; type: string; parent?: string | null };
  geometry: { type: string; coordinates: unknown };
}

const R = 6371008.8;
const RAD = Math.PI / 180;

function ringContains(ring: Ring, lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function polygonContains(poly: Polygon, lon: number, lat: number): boolean {
  let inside = false;
  for (const ring of poly) if (ringContains(ring, lon, lat)) inside = !inside;
  return inside;
}

/** Distance in metres from a point to the segment a–b (local equirectangular projection). */
function segmentDistance(lon: number, lat: number, a: [number, number], b: [number, number]): number {
  const k = Math.cos(lat * RAD) * RAD * R;
  const ax = (a[0] - lon) * k;
  const ay = (a[1] - lat) * RAD * R;
  const bx = (b[0] - lon) * k;
  const by = (b[1] - lat) * RAD * R;
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : -(ax * dx + ay * dy) / len2;
  t = Math.max(0, Math.min(1, t));
  const px = ax + t * dx;
  const py = ay + t * dy;
  return Math.sqrt(px * px + py * py);
}

function borderDistance(area: Area, lon: number, lat: number): number {
  let best = Infinity;
  for (const poly of area.polygons)
    for (const ring of poly)
      for (let i = 1; i < ring.length; i++) best = Math.min(best, segmentDistance(lon, lat, ring[i - 1]!, ring[i]!));
  return best;
}

function toArea(f: GeoJsonFeature): Area {
  const g = f.geometry;
  const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as Polygon[];
  let minLon = Infinity,
    minLat = Infinity,
    maxLon = -Infinity,
    maxLat = -Infinity;
  for (const poly of polygons)
    for (const [lon, lat] of poly[0] ?? []) {
      minLon = Math.min(minLon, lon);
      maxLon = Math.max(maxLon, lon);
      minLat = Math.min(minLat, lat);
      maxLat = Math.max(maxLat, lat);
    }
  const area: Area = {
    code: f.properties.code,
    nom: f.properties.nom,
    type: f.properties.type === 'ARM' ? 'ARM' : 'COM',
    polygons,
    bbox: [minLon, minLat, maxLon, maxLat],
  };
  if (f.properties.parent) area.parent = f.properties.parent;
  return area;
}

export class Territory {
  readonly areas: Area[];
  readonly bbox: [number, number, number, number];
  private readonly byCode = new Map<string, Area>();

  constructor(geojson: { features: GeoJsonFeature[] }) {
    this.areas = geojson.features.map(toArea);
    for (const a of this.areas) this.byCode.set(a.code, a);
    this.bbox = this.areas.reduce<[number, number, number, number]>(
      (b, a) => [Math.min(b[0], a.bbox[0]), Math.min(b[1], a.bbox[1]), Math.max(b[2], a.bbox[2]), Math.max(b[3], a.bbox[3])],
      [Infinity, Infinity, -Infinity, -Infinity],
    );
  }

  area(code: string): Area | undefined {
    return this.byCode.get(code);
  }

  /** Communes (type COM), sorted by name, for the list the volunteer picks from. */
  communes(): { code: string; nom: string }[] {
    return this.areas
      .filter((a) => a.type === 'COM')
      .map((a) => ({ code: a.code, nom: a.nom }))
      .sort((x, y) => x.nom.localeCompare(y.nom, 'fr'));
  }

  private containing(lon: number, lat: number, type: 'COM' | 'ARM'): Area | undefined {
    return this.areas.find(
      (a) =>
        a.type === type &&
        lon >= a.bbox[0] &&
        lon <= a.bbox[2] &&
        lat >= a.bbox[1] &&
        lat <= a.bbox[3] &&
        a.polygons.some((p) => polygonContains(p, lon, lat)),
    );
  }

  locate(lat: number, lon: number): Placement {
    const com = this.containing(lon, lat, 'COM');
    if (!com) {
      // Outside every outline; still say whether a commune is just next to it.
      let nearest: Area | undefined;
      let dist = Infinity;
      for (const a of this.areas) {
        if (a.type !== 'COM') continue;
        const d = borderDistance(a, lon, lat);
        if (d < dist) {
          dist = d;
          nearest = a;
        }
      }
      if (nearest && dist <= NEAR_BORDER_M) {
        return { commune: nearest.code, commune_name: nearest.nom, near_border: true, outside: true, border_distance_m: dist };
      }
      return { near_border: false, outside: true };
    }
    const arm = this.areas.some((a) => a.parent === com.code) ? this.containing(lon, lat, 'ARM') : undefined;
    const finest = arm ?? com;
    const dist = borderDistance(finest, lon, lat);
    const p: Placement = {
      commune: com.code,
      commune_name: com.nom,
      near_border: dist <= NEAR_BORDER_M,
      outside: false,
      border_distance_m: dist,
    };
    if (arm) {
      p.arrondissement = arm.code;
      p.arrondissement_name = arm.nom;
    }
    return p;
  }

  /**
   * A point well inside an area (the grid point farthest from its outline),
   * used as the location when the volunteer picks a commune from the list.
   */
  interiorPoint(code: string): { lat: number; lon: number } | undefined {
    const a = this.byCode.get(code);
    if (!a) return undefined;
    const [x0, y0, x1, y1] = a.bbox;
    const n = 16;
    let best: { lat: number; lon: number } | undefined;
    let bestD = -1;
    for (let i = 1; i < n; i++)
      for (let j = 1; j < n; j++) {
        const lon = x0 + ((x1 - x0) * i) / n;
        const lat = y0 + ((y1 - y0) * j) / n;
        if (!a.polygons.some((p) => polygonContains(p, lon, lat))) continue;
        const d = borderDistance(a, lon, lat);
        if (d > bestD) {
          bestD = d;
          best = { lat, lon };
        }
      }
    return best;
  }
}

let cached: Promise<Territory> | null = null;

/** The bundled Métropole de Lyon outlines (a separate, precached chunk). */
export function loadTerritory(): Promise<Territory> {
  cached ??= import('./territory.json').then(
    (m) => new Territory((m as unknown as { default: { features: GeoJsonFeature[] } }).default),
  );
  return cached;
}
