// The commune map: the territory outlines drawn as SVG (no tiles, so it works
// offline). A tap gives a point; the projection is a plain equirectangular one
// around the territory's centre, accurate to a few metres at this scale.
import type { Territory } from '../geo/lookup';
import { fr } from '../i18n/fr';

const NS = 'http://www.w3.org/2000/svg';
const W = 1000;

export function communeMap(
  t: Territory,
  onPick: (lat: number, lon: number) => void,
  marker?: { lat: number; lon: number },
): SVGSVGElement {
  const [x0, y0, x1, y1] = t.bbox;
  const k = Math.cos((((y0 + y1) / 2) * Math.PI) / 180);
  const H = Math.round((W * (y1 - y0)) / ((x1 - x0) * k));
  const px = (lon: number) => ((lon - x0) / (x1 - x0)) * W;
  const py = (lat: number) => ((y1 - lat) / (y1 - y0)) * H;
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'commune-map');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', fr.form.map);
  const title = document.createElementNS(NS, 'title');
  title.textContent = fr.form.map;
  svg.append(title);
  for (const a of t.areas) {
    if (a.type !== 'COM') continue;
    const path = document.createElementNS(NS, 'path');
    path.setAttribute(
      'd',
      a.polygons
        .flatMap((poly) => poly.map((ring) => 'M' + ring.map(([lon, lat]) => `${px(lon).toFixed(1)},${py(lat).toFixed(1)}`).join('L') + 'Z'))
        .join(''),
    );
    path.setAttribute('data-code', a.code);
    const tt = document.createElementNS(NS, 'title');
    tt.textContent = a.nom;
    path.append(tt);
    svg.append(path);
  }
  const dot = document.createElementNS(NS, 'circle');
  dot.setAttribute('r', '9');
  dot.setAttribute('class', 'marker');
  const place = (lat: number, lon: number) => {
    dot.setAttribute('cx', px(lon).toFixed(1));
    dot.setAttribute('cy', py(lat).toFixed(1));
    if (!dot.isConnected) svg.append(dot);
  };
  if (marker) place(marker.lat, marker.lon);
  svg.addEventListener('click', (e) => {
    const r = svg.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * W;
    const y = ((e.clientY - r.top) / r.height) * H;
    const lon = x0 + (x / W) * (x1 - x0);
    const lat = y1 - (y / H) * (y1 - y0);
    place(lat, lon);
    onPick(lat, lon);
  });
  return svg;
}
