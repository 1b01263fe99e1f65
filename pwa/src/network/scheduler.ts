// When to sync: on demand, when the network returns, when the app comes back
// to the foreground, after a save, and periodically while anything is unsent,
// with exponential backoff after failures. One sync at a time (per tab, and
// across tabs through the Web Locks API where the browser has it).
import { ApiError, NetworkError, SessionExpiredError } from './api';
import type { SyncClient, SyncResult } from './sync';

export type SyncPhase = 'idle' | 'running' | 'offline' | 'error' | 'need_login' | 'disabled';

export interface SyncStatus {
  phase: SyncPhase;
  sent: number;
  result?: SyncResult;
  error?: string;
  /** ms since epoch of the next automatic attempt after a failure */
  retryAt?: number;
}

export interface SchedulerOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  periodMs?: number;
  hasUnsent?: () => Promise<boolean>;
  isOnline?: () => boolean;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

type Listener = (s: SyncStatus) => void;

export class SyncScheduler {
  status: SyncStatus = { phase: 'idle', sent: 0 };
  private running: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  private retryTimer: unknown = null;
  private periodTimer: unknown = null;
  private listeners = new Set<Listener>();
  private readonly o: Required<SchedulerOptions>;

  constructor(
    private readonly client: SyncClient,
    opts: SchedulerOptions = {},
  ) {
    this.o = {
      baseDelayMs: 2_000,
      maxDelayMs: 5 * 60_000,
      periodMs: 60_000,
      hasUnsent: async () => true,
      isOnline: () => (typeof navigator === 'undefined' ? true : navigator.onLine !== false),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
      ...opts,
    };
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    fn(this.status);
    return () => this.listeners.delete(fn);
  }

  private set(s: SyncStatus): void {
    this.status = s;
    for (const l of this.listeners) l(s);
  }

  /** Starts the automatic triggers (browser only). */
  start(): void {
    if (typeof window !== 'undefined') {
      window.addEventListener('online', () => this.request('online'));
      window.addEventListener('offline', () => {
        if (this.status.phase !== 'running') this.set({ ...this.status, phase: 'offline' });
      });
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') this.request('visible');
      });
    }
    const tick = async () => {
      this.periodTimer = this.o.setTimer(tick, this.o.periodMs);
      if (this.retryTimer === null && this.status.phase !== 'need_login' && this.status.phase !== 'disabled' && (await this.o.hasUnsent())) {
        this.request('periodic');
      }
    };
    this.periodTimer = this.o.setTimer(tick, this.o.periodMs);
  }

  stop(): void {
    if (this.periodTimer !== null) this.o.clearTimer(this.periodTimer);
    if (this.retryTimer !== null) this.o.clearTimer(this.retryTimer);
    this.periodTimer = this.retryTimer = null;
  }

  /** Asks for a sync now; if one is running, another follows it. Resolves when done. */
  request(_reason = 'manual'): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    if (this.retryTimer !== null) {
      this.o.clearTimer(this.retryTimer);
      this.retryTimer = null;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.runOnce();
    } while (this.again && this.status.phase === 'idle');
  }

  private async runOnce(): Promise<void> {
    if (!this.o.isOnline()) {
      this.set({ phase: 'offline', sent: 0 });
      return;
    }
    this.set({ phase: 'running', sent: 0 });
    try {
      const work = () => this.client.sync((p) => this.set({ phase: 'running', sent: p.sent }));
      const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
      const result = locks ? await locks.request('porte-voix-sync', work) : await work();
      this.failures = 0;
      this.set({ phase: 'idle', sent: result.sent, result });
    } catch (e) {
      if (e instanceof SessionExpiredError) {
        this.set({ phase: 'need_login', sent: 0, error: e.message });
        return;
      }
      // The officer disabled the account: retrying cannot help; the
      // documents stay on the phone for export.
      if (e instanceof ApiError && e.code === 'account_disabled') {
        this.set({ phase: 'disabled', sent: 0, error: e.code });
        return;
      }
      const offline = e instanceof NetworkError && !this.o.isOnline();
      this.failures++;
      const delay = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (this.failures - 1));
      const jittered = Math.round(delay * (0.75 + Math.random() * 0.5));
      const retryAt = Date.now() + jittered;
      this.retryTimer = this.o.setTimer(() => {
        this.retryTimer = null;
        void this.request('retry');
      }, jittered);
      const error = e instanceof ApiError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
      this.set({ phase: offline ? 'offline' : 'error', sent: 0, error, retryAt });
    }
  }

  /** Forgets past failures (after a new login). */
  reset(): void {
    this.failures = 0;
    this.set({ phase: 'idle', sent: 0 });
  }
}
