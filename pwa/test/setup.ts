// Unit tests run in Node: the app's slim Automerge build needs its wasm, which
// the browser fetches by URL; here we hand it the bytes from node_modules.
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as Automerge from '@automerge/automerge/slim';

const require = createRequire(import.meta.url);
const wasmPath = require.resolve('@automerge/automerge/automerge.wasm');
if (!Automerge.isWasmInitialized()) {
  await Automerge.initializeWasm(readFileSync(wasmPath));
}
