// The one place the app loads Automerge: the slim build plus its wasm, which
// Vite emits as a separate file that the service worker precaches.
import * as Automerge from '@automerge/automerge/slim';

export { Automerge };

let ready: Promise<void> | null = null;

export function initAutomerge(wasm: string | Uint8Array): Promise<void> {
  if (Automerge.isWasmInitialized()) return Promise.resolve();
  ready ??= Automerge.initializeWasm(wasm);
  return ready;
}

/** Reads a string field whatever its Automerge form (Text or ImmutableString). */
export function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (v instanceof Automerge.ImmutableString) return v.toString();
  return String(v);
}

/** A scalar (non-collaborative) string, as the protocol requires for every string but `text` and door `note`. */
export function imm(s: string): Automerge.ImmutableString {
  return new Automerge.ImmutableString(s);
}

export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    bin += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(bin);
}

export function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((h) => s.has(h));
}

export function uuid(): string {
  return crypto.randomUUID();
}
