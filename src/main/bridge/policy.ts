/**
 * Who may talk to the browser bridge. Pure functions over request headers, so the policy is
 * tested on its own: a web page the user visits must not be able to drive their serial port.
 *
 * - The page and the WebSocket need the per-run token, `?token=` in their URL (the page passes
 *   its own to the WebSocket). Missing or wrong: 401. There is no cookie: cookies are not
 *   limited to a port, so a browser would hand a token cookie to every other server on
 *   127.0.0.1 (another app's dev server, a page's local helper). The page's scripts and styles
 *   (fetched by relative URL, without the query) are the open-source renderer and hold no
 *   secret: they are served without the token, behind the same Host and Origin checks.
 * - `Host` must name this server (defeats DNS rebinding) and `Origin`, when present, must be
 *   this server's own origin: else 403.
 * - Nothing in a request (URL, header) can throw: what does not parse is refused.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '0:0:0:0:0:0:0:1';
}

export function tokensEqual(a: string | null | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The path of a request URL, or null when it is not a URL at all (`//`, `http://[`). */
export function requestPath(url: string): string | null {
  try {
    return new URL(url, 'http://x').pathname;
  } catch {
    return null;
  }
}

export interface PolicyConfig {
  token: string;
  port: number;
  /** Host names (without port) this server answers to. Empty: any (listening beyond loopback). */
  hosts: string[];
}

export type Verdict = { ok: true } | { ok: false; status: 400 | 401 | 403; reason: string };

/** Host names accepted for a server bound to `bindHost`. */
export function allowedHosts(bindHost: string): string[] {
  if (isLoopback(bindHost)) return ['127.0.0.1', 'localhost', '[::1]'];
  if (bindHost === '0.0.0.0' || bindHost === '::') return [];
  return [isIP(bindHost) === 6 ? `[${bindHost}]` : bindHost, '127.0.0.1', 'localhost'];
}

function splitHost(hostHeader: string): { name: string; port: number | null } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(hostHeader.trim());
  if (!m) return null;
  return { name: m[1].toLowerCase(), port: m[2] ? Number(m[2]) : null };
}

/**
 * Checks one request. `url` is the request path with query; `headers` lower-cased as Node gives
 * them.
 */
export function checkRequest(
  cfg: PolicyConfig,
  url: string,
  headers: { host?: string; origin?: string },
): Verdict {
  const host = headers.host ? splitHost(headers.host) : null;
  if (!host || (host.port !== null && host.port !== cfg.port) || (cfg.hosts.length > 0 && !cfg.hosts.includes(host.name))) {
    return { ok: false, status: 403, reason: 'Host is not this server' };
  }
  if (headers.origin !== undefined) {
    const expected = `http://${host.name}:${cfg.port}`;
    let origin: string;
    try {
      const o = new URL(headers.origin);
      origin = `${o.protocol}//${o.hostname.includes(':') && !o.hostname.startsWith('[') ? `[${o.hostname}]` : o.hostname}:${o.port || (o.protocol === 'https:' ? '443' : '80')}`;
    } catch {
      return { ok: false, status: 403, reason: 'Origin is not this server' };
    }
    if (origin.toLowerCase() !== expected) return { ok: false, status: 403, reason: 'Origin is not this server' };
  }
  let q: string | null = null;
  try {
    q = new URL(url, 'http://x').searchParams.get('token');
  } catch {
    return { ok: false, status: 400, reason: 'not a URL' };
  }
  if (q === null) return { ok: false, status: 401, reason: 'missing token' };
  return tokensEqual(q, cfg.token) ? { ok: true } : { ok: false, status: 401, reason: 'wrong token' };
}

/** The Content-Security-Policy of the served renderer. */
export function bridgeCsp(hostHeader: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ws://${hostHeader}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
