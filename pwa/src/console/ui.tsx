// Shared pieces of the console: the context every screen reads, the async
// state hook (loading / error / offline in words), and small components.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { signal } from '@preact/signals';
import { frConsole as t } from '../i18n/fr-console';
import type { Session } from '../network/api';
import { ConsoleApi } from './api';
import { errorMessage } from './format';

export interface ConsoleCtx {
  api: ConsoleApi;
  session: Session;
  officer: boolean;
  /** INSEE code → name (communes and Lyon's arrondissements). */
  names: Map<string, string>;
  navigate: (to: string) => void;
  logout: () => void;
}

/** The message read by screen readers (polite live region of the shell). */
export const announcement = signal('');
let clearTimer: ReturnType<typeof setTimeout> | undefined;
export function announce(msg: string): void {
  announcement.value = '';
  // a fresh text node each time, so the same message twice is read twice
  queueMicrotask(() => (announcement.value = msg));
  clearTimeout(clearTimer);
  clearTimer = setTimeout(() => (announcement.value = ''), 8000);
}

export type Async<T> = { state: 'loading' } | { state: 'error'; message: string; error: unknown } | { state: 'ok'; data: T };

/** Runs `load` when `deps` change; `reload` runs it again. Older answers never overwrite newer ones. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): [Async<T>, () => void, (d: T) => void] {
  const [s, setS] = useState<Async<T>>({ state: 'loading' });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setS((prev) => (prev.state === 'ok' ? prev : { state: 'loading' }));
    load().then(
      (data) => n === seq.current && setS({ state: 'ok', data }),
      (error: unknown) => n === seq.current && setS({ state: 'error', message: errorMessage(error), error }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(run, [run]);
  return [s, run, (data: T) => setS({ state: 'ok', data })];
}

export function Loading({ label = t.loading }: { label?: string }) {
  return (
    <p class="state state-loading" role="status">
      {label}
    </p>
  );
}

export function Failure({ message, retry }: { message: string; retry?: () => void }) {
  return (
    <div class="state state-error" role="alert">
      <p>{message}</p>
      {retry && (
        <button type="button" onClick={retry}>
          {t.retry}
        </button>
      )}
    </div>
  );
}

/** Renders an async value: the words for loading and failure, `children(data)` once there. */
export function Show<T>({ value, retry, children }: { value: Async<T>; retry?: () => void; children: (d: T) => ComponentChildren }) {
  if (value.state === 'loading') return <Loading />;
  if (value.state === 'error') return <Failure message={value.message} retry={retry} />;
  return <>{children(value.data)}</>;
}

/** A link inside the console (the shell turns it into a client-side navigation). */
export function Link({ href, children, ...rest }: { href: string; children: ComponentChildren; class?: string; 'aria-current'?: 'page' | undefined; 'aria-label'?: string }) {
  return (
    <a href={href} data-console-link="" {...rest}>
      {children}
    </a>
  );
}

/** Inline error of a form: says what failed; the form keeps every value typed. */
export function FormError({ message, id }: { message: string; id?: string }) {
  return (
    <p class="error" role="alert" id={id}>
      {message}
    </p>
  );
}
