// Figures measured by the browser tests, appended to tests/artifacts/figures.json
// and printed, for docs/PWA.md ("Measured").
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS } from './harness.mjs';

export function recordFigure(name, value) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, 'figures.json');
  const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  all[name] = value;
  writeFileSync(file, JSON.stringify(all, null, 2));
  console.log(`# figure: ${name} = ${value}`);
}
