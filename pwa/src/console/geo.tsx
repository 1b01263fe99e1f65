// Maps of the console: the territory outlines (the precached GeoJSON of the
// field app) drawn as SVG with d3-geo, no tiles, so they work offline.
// Planar: longitudes are scaled by cos(latitude) first, then d3's identity
// projection fits the box (no spherical winding rules to trip over).
import { geoIdentity, geoPath } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry } from 'geojson';

export interface AreaProps {
  code: string;
  nom: string;
  type: string;
  parent?: string | null;
}
export type Areas = FeatureCollection<Geometry, AreaProps>;

const K = Math.cos((45.76 * Math.PI) / 180);

function scaleCoords(c: unknown): unknown {
  if (Array.isArray(c) && typeof c[0] === 'number') return [(c[0] as number) * K, c[1]];
  return (c as unknown[]).map(scaleCoords);
}

let cached: Promise<Areas> | undefined;
/** The outlines, longitudes pre-scaled (cached for the session). */
export function areas(): Promise<Areas> {
  cached ??= import('../geo/territory.json').then((m) => {
    const g = (m.default ?? m) as unknown as Areas;
    return {
      type: 'FeatureCollection',
      features: g.features.map((f) => ({ ...f, geometry: { ...f.geometry, coordinates: scaleCoords((f.geometry as { coordinates: unknown }).coordinates) } as Geometry })),
    };
  });
  return cached;
}

export const toPlane = (lon: number, lat: number): [number, number] => [lon * K, lat];

export function projector(fc: FeatureCollection | Feature, w: number, h: number) {
  const proj = geoIdentity().reflectY(true).fitExtent(
    [
      [4, 4],
      [w - 4, h - 4],
    ],
    fc,
  );
  const path = geoPath(proj);
  return { path: (f: Feature) => path(f) ?? '', point: (lon: number, lat: number) => proj(toPlane(lon, lat)) ?? [0, 0] };
}

/** A small map of one place: its commune (or arrondissement) outlined, neighbours in grey, the point. */
export function PlaceMap({ all, code, point, label }: { all: Areas; code?: string | null; point?: { lat: number; lon: number } | null; label: string }) {
  const W = 320;
  const H = 220;
  const focus = all.features.find((f) => f.properties.code === code);
  const p = projector(focus ?? all, W, H);
  const dot = point ? p.point(point.lon, point.lat) : null;
  return (
    <svg class="c-placemap" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      <title>{label}</title>
      {all.features
        .filter((f) => f.properties.type === 'COM')
        .map((f) => (
          <path key={f.properties.code} d={p.path(f)} class={f.properties.code === code ? 'area focus' : 'area'} />
        ))}
      {focus && focus.properties.type === 'ARM' && <path d={p.path(focus)} class="area focus" />}
      {dot && <circle cx={dot[0]} cy={dot[1]} r={6} class="marker" />}
    </svg>
  );
}
