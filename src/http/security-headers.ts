import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { cryptoRandom } from '../random.js';

/**
 * Security headers for the HTML pages (@fastify/helmet), chosen when a page is rendered, because one
 * route can answer with different pages (/authorize: a login screen, a form_post page, a web_message
 * page or the error page). JSON answers get none of them.
 *
 * Every inline <script> and <style> carries a nonce drawn for that page (securePage; not helmet's
 * `enableCSPNonces`, which draws two for every request, JSON included); nothing else runs. What
 * differs per page:
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
export type PageKind = 'screen' | 'form-post' | 'web-message' | 'mailbox' | 'co-verify';

export interface PageNonce {
  script: string;
  style: string;
}

type Directives = Record<string, string[]>;

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: false,
    enableCSPNonces: false,
    contentSecurityPolicy: false,
    crossOriginOpenerPolicy: false,
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

function directivesFor(kind: PageKind, nonce: PageNonce, frameSrc: string | undefined): Directives {
  const script = [`'nonce-${nonce.script}'`];
  const style = [`'nonce-${nonce.style}'`];
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
      return { 'default-src': ["'none'"], 'script-src': script, 'frame-src': frameSrc ? [frameSrc] : ["'none'"], 'base-uri': ["'none'"], 'frame-ancestors': ["'none'"] };
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

/**
 * Sets the page's security headers and returns the nonces its template puts on each inline script
 * and style. Call it right before rendering the page.
 */
export function securePage(reply: FastifyReply, kind: PageKind, frameSrc?: string): PageNonce {
  // Drawn here, for pages only, once per reply.
  const nonce: PageNonce = reply.cspNonce ?? { script: cryptoRandom.hex(16), style: cryptoRandom.hex(16) };
  reply.cspNonce = nonce;
  const directives = directivesFor(kind, nonce, frameSrc);
  const frameable = kind === 'web-message';
  if (typeof reply.helmet === 'function') {
    reply.helmet({
      contentSecurityPolicy: { useDefaults: false, directives },
      ...(frameable ? { xFrameOptions: false, crossOriginResourcePolicy: false } : {}),
    });
  } else {
    reply.header('Content-Security-Policy', Object.entries(directives).map(([name, values]) => `${name} ${values.join(' ')}`).join('; '));
    reply.header('X-Content-Type-Options', 'nosniff');
    if (!frameable) reply.header('X-Frame-Options', 'DENY');
  }
  return nonce;
}
