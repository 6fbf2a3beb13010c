import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import helmet from 'helmet';
import { cryptoRandom } from '../random.js';

/**
 * Security headers for the HTML pages (helmet), chosen when a page is rendered, because one route can
 * answer with different pages (/authorize: a login screen, a form_post page, a web_message page or the
 * error page). JSON answers get none of them.
 *
 * Every inline <script> and <style> carries a nonce drawn for that page (securePage); nothing else
 * runs. Each kind of page has one helmet middleware, built at start-up, whose CSP reads the page's
 * nonces (and the framed origin) from the response: helmet builds its middleware from its options, and
 * building it for every page cost about 20 µs a page. What differs per page:
 * - screens (login, error, logged out) and the form_post page refuse framing (frame-ancestors 'none',
 *   X-Frame-Options: DENY);
 * - the web_message page is loaded by auth0-spa-js and auth0.js in a hidden iframe on the application's
 *   origin, so it has no frame-ancestors and no X-Frame-Options (it only ever posts to the redirect_uri's
 *   origin, which /authorize checked against the client's Allowed Web Origins);
 * - the cross-origin verification page frames exactly one origin, the client's cross_origin_loc
 *   (`frameSrc`), and is framed by none;
 * - the dev mailbox shows each email in a sandboxed srcdoc iframe, which inherits the page's policy, so
 *   style attributes (what email HTML is made of) are allowed there and only there.
 * No page sets form-action: Chromium applies it to the redirects after a form POST, and the login
 * screens' POSTs end on the application's callback, wherever that is. No Cross-Origin-Opener-Policy:
 * auth0-spa-js's loginWithPopup needs window.opener across origins. No HSTS: it would pin HTTPS on
 * localhost for every other development server too.
 */
const PAGE_KINDS = ['screen', 'form-post', 'web-message', 'mailbox', 'co-verify'] as const;
export type PageKind = (typeof PAGE_KINDS)[number];

export interface PageNonce {
  script: string;
  style: string;
}

/** What securePage drew for the page being answered, kept on its response for the CSP's functions. */
const PAGE = Symbol('understudy.page');
interface PageFacts {
  nonce: PageNonce;
  frameSrc: string | undefined;
}
type PageResponse = ServerResponse & { [PAGE]?: PageFacts };
const pageOf = (res: ServerResponse): PageFacts => (res as PageResponse)[PAGE]!;

type DirectiveValue = string | ((req: IncomingMessage, res: ServerResponse) => string);
type Directives = Record<string, DirectiveValue[]>;

const scriptNonce = (_req: IncomingMessage, res: ServerResponse): string => `'nonce-${pageOf(res).nonce.script}'`;
const styleNonce = (_req: IncomingMessage, res: ServerResponse): string => `'nonce-${pageOf(res).nonce.style}'`;
const framedOrigin = (_req: IncomingMessage, res: ServerResponse): string => pageOf(res).frameSrc ?? "'none'";

function directivesFor(kind: PageKind): Directives {
  const script = [scriptNonce];
  const style = [styleNonce];
  // A tenant's logo may live anywhere, plain http included (a local file server).
  const images = ["'self'", 'data:', 'https:', 'http:'];
  switch (kind) {
    case 'screen':
      // connect-src: the push screens poll their own status (views/partials/mfa/push-poll.eta).
      return { 'default-src': ["'none'"], 'img-src': images, 'style-src': style, 'script-src': script, 'connect-src': ["'self'"], 'base-uri': ["'none'"], 'frame-ancestors': ["'none'"] };
    case 'form-post':
      return { 'default-src': ["'none'"], 'script-src': script, 'style-src': style, 'base-uri': ["'none'"], 'frame-ancestors': ["'none'"] };
    case 'web-message':
      return { 'default-src': ["'none'"], 'script-src': script, 'base-uri': ["'none'"] };
    case 'co-verify':
      return { 'default-src': ["'none'"], 'script-src': script, 'frame-src': [framedOrigin], 'base-uri': ["'none'"], 'frame-ancestors': ["'none'"] };
    case 'mailbox':
      return {
        'default-src': ["'self'"],
        'script-src': script,
        'style-src': style,
        'style-src-attr': ["'unsafe-inline'"],
        'img-src': images,
        'connect-src': ["'self'"],
        'base-uri': ["'none'"],
        'form-action': ["'none'"],
        'frame-ancestors': ["'none'"],
      };
  }
}

function pageHeaders(kind: PageKind): ReturnType<typeof helmet> {
  const frameable = kind === 'web-message';
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: directivesFor(kind) },
    crossOriginOpenerPolicy: false,
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'no-referrer' },
    ...(frameable ? { xFrameOptions: false, crossOriginResourcePolicy: false } : { xFrameOptions: { action: 'deny' } }),
  });
}

const HEADERS = Object.fromEntries(PAGE_KINDS.map((kind) => [kind, pageHeaders(kind)])) as Record<PageKind, ReturnType<typeof helmet>>;

/** Helmet 8 throws its own errors; its callback only continues. */
const done = (error?: unknown): void => {
  if (error) throw error;
};

/**
 * Sets the page's security headers and returns the nonces its template puts on each inline script
 * and style. Call it right before rendering the page.
 */
export function securePage(reply: FastifyReply, kind: PageKind, frameSrc?: string): PageNonce {
  const res = reply.raw as PageResponse;
  // Drawn here, for pages only, once per reply.
  const page = (res[PAGE] ??= { nonce: { script: cryptoRandom.hex(16), style: cryptoRandom.hex(16) }, frameSrc });
  page.frameSrc = frameSrc;
  HEADERS[kind](reply.request.raw, res, done);
  return page.nonce;
}
