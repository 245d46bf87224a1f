import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';

/** A signed-in demo user. */
export interface Session {
  id: string;
  userId: string;
  /** Unix seconds of the sign-in. */
  authTime: number;
}

/** The session cookie's name. */
export const SESSION_COOKIE = 'acme_session';

/**
 * The demo bank's own sign-in: an in-memory session behind an HttpOnly, SameSite=Strict cookie.
 * (A real bank has passwords or SSO; Stepgate starts after that.)
 */
export class Sessions {
  readonly #byId = new Map<string, Session>();

  /** Starts a session and sets its cookie. */
  create(res: Response, userId: string): Session {
    const session = {
      id: randomBytes(18).toString('base64url'),
      userId,
      authTime: Math.floor(Date.now() / 1000),
    };
    this.#byId.set(session.id, session);
    res.cookie(SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'strict', path: '/' });
    return session;
  }

  /** The request's session, if its cookie names one. */
  get(req: Request): Session | undefined {
    const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
    return id === undefined ? undefined : this.#byId.get(id);
  }

  /** Ends the request's session. */
  destroy(req: Request, res: Response): void {
    const s = this.get(req);
    if (s) this.#byId.delete(s.id);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }
}

/** One cookie's value from a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
