import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTerritory, NEAR_BORDER_M } from '../src/geo/lookup';

describe('offline commune lookup', () => {
  it('finds Villeurbanne at the Gratte-Ciel', async () => {
    const t = await loadTerritory();
    const p = t.locate(45.7676, 4.8799);
    expect(p).toMatchObject({ commune: '69266', commune_name: 'Villeurbanne', outside: false });
  });

  it('gives Lyon and its arrondissement (Lyon 3e, Part-Dieu)', async () => {
    const t = await loadTerritory();
    const p = t.locate(45.7605, 4.8590);
    expect(p.commune).toBe('69123');
    expect(p.arrondissement).toBe('69383');
  });

  it('flags a point outside the Métropole (Paris)', async () => {
    const t = await loadTerritory();
    expect(t.locate(48.8566, 2.3522)).toMatchObject({ outside: true, near_border: false });
  });

  it('says « près d’une limite » within 150 m of an outline, not farther', async () => {
    const t = await loadTerritory();
    const vil = t.area('69266')!;
    // A vertex of Villeurbanne's outline, moved 50 m and 600 m inwards along the segment to an interior point.
    const inside = t.interiorPoint('69266')!;
    const [vlon, vlat] = vil.polygons[0]![0]![0]!;
    const along = (m: number) => {
      const dx = (inside.lon - vlon) * Math.cos((vlat * Math.PI) / 180) * 111_195;
      const dy = (inside.lat - vlat) * 111_195;
      const len = Math.hypot(dx, dy);
      return { lat: vlat + ((inside.lat - vlat) * m) / len, lon: vlon + ((inside.lon - vlon) * m) / len };
    };
    const near = along(40);
    const pn = t.locate(near.lat, near.lon);
    expect(pn.near_border).toBe(true);
    expect(pn.border_distance_m!).toBeLessThanOrEqual(NEAR_BORDER_M);
    const far = t.locate(inside.lat, inside.lon);
    expect(far).toMatchObject({ commune: '69266', near_border: false });
  });

  it('lists the 58 communes by name and gives each an interior point inside it', async () => {
    const t = await loadTerritory();
    const cs = t.communes();
    expect(cs).toHaveLength(58);
    for (const c of cs) {
      const p = t.interiorPoint(c.code)!;
      expect(t.locate(p.lat, p.lon).commune, c.nom).toBe(c.code);
    }
  });
});

describe('bundled territory', () => {
  // The PWA bundles a copy of shared/data's outlines (docs/PWA.md says why);
  // this catches the copy drifting from the file the server embeds.
  const shared = new URL('../../../shared/data/metropole-de-lyon-communes.geojson', import.meta.url);
  it.skipIf(!existsSync(shared))('is the same GeoJSON as shared/data', async () => {
    const bundled = JSON.parse(readFileSync(new URL('../src/geo/territory.json', import.meta.url), 'utf8'));
    expect(bundled).toEqual(JSON.parse(readFileSync(shared, 'utf8')));
  });
});
