/**
 * Who may talk to the browser bridge. Pure functions over request headers, so the policy is
 * tested on its own: a web page the user visits must not be able to drive their serial port.
 *
 * - Every HTTP request and the WebSocket need the per-run token: `?token=` in the URL, or the
 *   cookie set when the page was first loaded with it (a page's own assets are fetched by
 *   relative URL, without the query). Missing or wrong: 401.
 * - `Host` must name this server (defeats DNS rebinding) and `Origin`, when present, must be
 *   this server's own origin: else 403.
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

export function cookieName(port: number): string {
  return `heapscope_token_${port}`;
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

export interface PolicyConfig {
  token: string;
  port: number;
  /** Host names (without port) this server answers to. Empty: any (listening beyond loopback). */
  hosts: string[];
}

export type Verdict = { ok: true; viaQuery: boolean } | { ok: false; status: 401 | 403; reason: string };

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
  headers: { host?: string; origin?: string; cookie?: string },
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
    q = null;
  }
  if (q !== null) {
    return tokensEqual(q, cfg.token) ? { ok: true, viaQuery: true } : { ok: false, status: 401, reason: 'wrong token' };
  }
  const c = readCookie(headers.cookie, cookieName(cfg.port));
  if (c !== null && tokensEqual(c, cfg.token)) return { ok: true, viaQuery: false };
  return { ok: false, status: 401, reason: c === null ? 'missing token' : 'wrong token' };
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
