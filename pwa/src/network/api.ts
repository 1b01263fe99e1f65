// The HTTP side: login, token refresh (with rotation), and authenticated
// calls. The session (tokens and user) lives in the store so the app keeps
// working for days offline; an expired session only blocks syncing.
import type { LocalStore } from '../storage/store';

export interface User {
  id: string;
  email: string;
  name: string;
  role: string;
  commune?: string | null;
}

export interface Session {
  access_token: string;
  refresh_token: string;
  /** ms since epoch when the access token stops working */
  expires_at: number;
  user: User;
  /** The refresh token was refused: ask to log in again, but only to sync. */
  needs_login?: boolean;
}

export interface Campaign {
  id: string;
  name: string;
  starts_on: string;
  ends_on: string;
  communes: string[];
  themes: string[];
}

/** The request never reached the server or the reply never came back. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

/** The server answered with its JSON error body. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** No valid session: the volunteer must log in again (online) to sync. */
export class SessionExpiredError extends Error {
  override name = 'SessionExpiredError';
}

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

interface TokenReply {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  user: User;
}

const SESSION_KEY = 'session';

function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  return locks ? (locks.request(name, fn) as Promise<T>) : fn();
}

export class Api {
  private refreshing: Promise<Session> | null = null;

  constructor(
    private readonly store: LocalStore,
    private readonly base = '',
    private readonly fetchFn: FetchFn = (i, init) => fetch(i, init),
  ) {}

  async session(): Promise<Session | undefined> {
    return this.store.getMeta<Session>(SESSION_KEY);
  }

  private async raw(path: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchFn(this.base + path, init);
    } catch (e) {
      throw new NetworkError(e instanceof Error ? e.message : String(e));
    }
  }

  private static async error(res: Response): Promise<ApiError> {
    let code = 'http_' + res.status;
    let message = res.statusText;
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      if (body.error?.code) code = body.error.code;
      if (body.error?.message) message = body.error.message;
    } catch {
      // not JSON (a proxy's error page): keep the HTTP status
    }
    return new ApiError(res.status, code, message);
  }

  private async saveTokens(t: TokenReply): Promise<Session> {
    const s: Session = {
      access_token: t.access_token,
      refresh_token: t.refresh_token,
      expires_at: Date.now() + t.expires_in * 1000,
      user: t.user,
    };
    await this.store.setMeta(SESSION_KEY, s);
    return s;
  }

  async login(email: string, password: string): Promise<Session> {
    const res = await this.raw('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (!res.ok) throw await Api.error(res);
    return this.saveTokens((await res.json()) as TokenReply);
  }

  /**
   * Rotates the refresh token; concurrent callers share one request, and tabs
   * take turns (Web Locks): a tab that finds the session already refreshed by
   * another uses it instead of spending the (now dead) old refresh token.
   */
  refresh(staleAccessToken?: string): Promise<Session> {
    this.refreshing ??= withLock('porte-voix-refresh', async () => {
      const s = await this.session();
      if (!s || s.needs_login) throw new SessionExpiredError('no session');
      if (staleAccessToken && s.access_token !== staleAccessToken && s.expires_at - Date.now() > 30_000) return s;
      const res = await this.raw('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: s.refresh_token }),
      });
      if (res.status === 401 || res.status === 403) {
        await this.store.setMeta(SESSION_KEY, { ...s, needs_login: true });
        throw new SessionExpiredError('refresh refused');
      }
      if (!res.ok) throw await Api.error(res);
      return this.saveTokens((await res.json()) as TokenReply);
    }).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** A call with the access token, refreshed first when stale and once more on 401. */
  async authed(path: string, init: RequestInit = {}): Promise<Response> {
    let s = await this.session();
    if (!s || s.needs_login) throw new SessionExpiredError('no session');
    if (s.expires_at - Date.now() < 30_000) s = await this.refresh(s.access_token);
    const call = (token: string) =>
      this.raw(path, { ...init, headers: { ...(init.headers as Record<string, string>), Authorization: `Bearer ${token}` } });
    let res = await call(s.access_token);
    if (res.status === 401) {
      s = await this.refresh(s.access_token);
      res = await call(s.access_token);
      if (res.status === 401) throw new SessionExpiredError('token refused');
    }
    return res;
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const res = await this.authed(path, init);
    if (!res.ok) throw await Api.error(res);
    return (await res.json()) as T;
  }

  async campaigns(): Promise<Campaign[]> {
    return this.json<Campaign[]>('/api/v1/campaigns');
  }

  async logout(): Promise<void> {
    await this.store.deleteMeta(SESSION_KEY);
  }
}
