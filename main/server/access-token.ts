import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const accessTokenCookie = 'unisight_token';

export function createAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokensMatch(expected: string, presented: string | null): boolean {
  if (presented === null) return false;
  const expectedBytes = Buffer.from(expected);
  const presentedBytes = Buffer.from(presented);
  return expectedBytes.length === presentedBytes.length && timingSafeEqual(expectedBytes, presentedBytes);
}

/**
 * The token may come as a bearer header (scripts), the session cookie (the browser) or ?token= (first visit, sockets).
 */
export function presentedToken(
  request: IncomingMessage,
  url: URL,
): { token: string | null; via: 'header' | 'cookie' | 'query' | null } {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer '))
    return { token: authorization.slice('Bearer '.length).trim(), via: 'header' };
  const cookie = readCookie(request.headers.cookie, accessTokenCookie);
  if (cookie) return { token: cookie, via: 'cookie' };
  const query = url.searchParams.get('token');
  if (query) return { token: query, via: 'query' };
  return { token: null, via: null };
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return null;
}
