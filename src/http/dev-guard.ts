import type { FastifyInstance, FastifyRequest } from 'fastify';
import { accessDenied, invalidRequest } from '../errors.js';
import { isLoopbackHost } from './loopback.js';

/**
 * The dev control plane answers its user, not any web page that user happens to open.
 *
 * - `Host` must name the issuer's host, a loopback name, or a name in UNDERSTUDY_DEV_HOSTS. A page
 *   that rebinds its own DNS name to this machine sends its own name as Host, so it reads nothing
 *   (not the mailbox's codes, not a snapshot's keys).
 * - A request that changes state (anything but GET/HEAD/OPTIONS) from a browser carries `Origin`; it
 *   must be the issuer's origin, a loopback origin (the mailbox page, a local app) or a dev host.
 *   Programs (tests, curl) send no Origin and are let through, as the dev token still applies to them.
 * - Bodies are JSON only. Forms and text/plain are what a foreign page can send without a CORS
 *   preflight, so a dev route never parses them.
 */
export interface DevPlaneOptions {
  issuer: string;
  /** Extra host names (no port) the dev routes answer on, e.g. a compose service name. */
  devHosts?: readonly string[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function guardDevPlane(scope: FastifyInstance, options: DevPlaneOptions): void {
  const issuer = new URL(options.issuer);
  const extra = new Set((options.devHosts ?? []).map((h) => h.toLowerCase()));
  const knownHost = (hostname: string): boolean => {
    const bare = hostname.toLowerCase();
    return bare === issuer.hostname.toLowerCase() || extra.has(bare) || isLoopbackHost(bare);
  };

  /** A Host-style value (`name[:port]`) that names a known host. */
  const isKnown = (value: string | undefined): boolean => {
    const name = hostnameOf(value);
    return name !== undefined && knownHost(name);
  };

  scope.addHook('onRequest', async (request) => {
    // The Host header itself, not Fastify's request.host: behind a trusted proxy that one comes from
    // X-Forwarded-Host, which a rebound page (same-origin to the browser) may set as it likes.
    const rawHost = request.headers.host;
    const forwarded = request.headers['x-forwarded-host'];
    const claimed = [rawHost, ...(forwarded === undefined ? [] : String(forwarded).split(','))];
    if (!claimed.every((value) => isKnown(value?.trim()))) {
      throw accessDenied(`The dev routes answer only on ${issuer.host}, a loopback name or UNDERSTUDY_DEV_HOSTS; this request was for "${rawHost ?? ''}"`);
    }
    if (SAFE_METHODS.has(request.method)) return;
    const origin = request.headers.origin;
    if (origin !== undefined && !(origin === issuer.origin || knownOrigin(origin, knownHost))) {
      throw accessDenied(`The dev routes do not take changes from the web page at ${origin}`);
    }
    if (hasBody(request) && mediaType(request) !== 'application/json') {
      throw invalidRequest('The dev routes take JSON bodies only (Content-Type: application/json)', { status: 415 });
    }
  });
}

function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  try {
    return new URL(`http://${host}`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

function knownOrigin(origin: string, knownHost: (hostname: string) => boolean): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && knownHost(url.hostname.replace(/^\[|\]$/g, ''));
  } catch {
    // "null" (a sandboxed frame, a file:// page) and anything unparsable.
    return false;
  }
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0') || request.headers['content-type'] !== undefined;
}

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}
