import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { localhostTestApp } from './app.js';

/**
 * What the embedded-login conformance tests run against: Understudy listening on
 * http://localhost:<port>, and a static "app" on another port that serves the published auth0.js
 * browser bundle and a browser bundle of auth0-lock (the npm package ships only CommonJS, so esbuild
 * bundles it as Auth0's CDN build would), each with an app page, a callback page and a cross-origin
 * verification page. The app answers on two origins: http://localhost:<appPort> (same site as
 * Understudy, so the browser keeps /co/authenticate's cookies) and http://127.0.0.1:<appPort>
 * (another site: the cookies are refused and the verification page has to confirm the login).
 */
const nodeModules = fileURLToPath(new URL('../../node_modules/', import.meta.url));
const pkg = (dir: string): { name: string; version: string } => JSON.parse(readFileSync(`${nodeModules}${dir}/package.json`, 'utf8')) as { name: string; version: string };

export const AUTH0_JS = pkg('auth0-js');
export const AUTH0_LOCK = pkg('auth0-lock');
/** The auth0.js Lock runs on (its own dependency). */
export const LOCK_AUTH0_JS = pkg('auth0-lock/node_modules/auth0-js');

/** The same-site app's client, and the one registered for the app's other-site origin. */
export const CLIENT_ID = 'embedded-spa';
export const CROSS_SITE_CLIENT_ID = 'embedded-cross-site';

async function lockBundle(): Promise<string> {
  const out = await build({
    stdin: { contents: "import { Auth0LockPasswordless } from 'auth0-lock'; window.Auth0LockPasswordless = Auth0LockPasswordless;", resolveDir: fileURLToPath(new URL('../../', import.meta.url)), loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    // auth0-js 9 is a "type": "module" package whose `main` is a UMD file, which esbuild would read as
    // ESM (and so export nothing) if it followed Lock's require() to `main`: its `module` build it is.
    mainFields: ['browser', 'module', 'main'],
    target: 'es2019',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** Set once Understudy listens; the verification page reads it from /config.js. */
interface PageConfig {
  domain: string;
  issuer: string;
}

const page = (title: string, script: string, body = ''): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title><script src="/config.js"></script><script src="${script}"></script></head>
<body><h1 id="page">${title}</h1>${body}</body>
</html>
`;

/**
 * auth0.js's own recipe for the cross-origin verification page (Auth0's docs and lock's
 * support/callback-cross-auth.html): a WebAuth for the client, then crossOriginVerification(). It
 * reads the verifier from the same storage the login page kept it in (a cookie on the app's host).
 */
const verificationPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Cross-origin verification</title><script src="/config.js"></script><script src="/sdk/auth0.js"></script>
<script>
  var webAuth = new auth0.WebAuth({ domain: UNDERSTUDY.domain, clientID: new URLSearchParams(location.search).get('client_id') });
  webAuth.crossOriginVerification();
</script></head>
<body></body>
</html>
`;

async function startStaticApp(config: PageConfig): Promise<FastifyInstance> {
  const auth0Js = readFileSync(`${nodeModules}auth0-js/dist/auth0.min.js`, 'utf8');
  const lock = await lockBundle();
  const app = Fastify({ logger: false });
  const script = (body: string) => (_request: unknown, reply: FastifyReply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'no-store').send(body);
  app.get('/sdk/auth0.js', script(auth0Js));
  app.get('/sdk/lock.js', script(lock));
  app.get('/config.js', (_request, reply) => reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'no-store').send(`window.UNDERSTUDY = ${JSON.stringify(config)};`));
  const html = (body: string) => (_request: unknown, reply: FastifyReply) => reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(body);
  app.get('/auth0js/app.html', html(page(`auth0-js ${AUTH0_JS.version} app`, '/sdk/auth0.js')));
  app.get('/auth0js/callback.html', html(page(`auth0-js ${AUTH0_JS.version} callback`, '/sdk/auth0.js')));
  app.get('/auth0js/co-verify.html', html(verificationPage));
  app.get('/lock/app.html', html(page(`auth0-lock ${AUTH0_LOCK.version} app`, '/sdk/lock.js', '<div id="lock"></div>')));
  app.get('/lock/callback.html', html(page(`auth0-lock ${AUTH0_LOCK.version} callback`, '/sdk/lock.js', '<div id="lock"></div>')));
  app.get('/favicon.ico', (_request, reply) => reply.status(204).send());
  // `localhost` binds 127.0.0.1 (and ::1), so the app answers on both of its origins.
  await app.listen({ host: 'localhost', port: 0 });
  return app;
}

function portOf(app: FastifyInstance): number {
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server is not listening on a TCP port');
  return address.port;
}

function embeddedTenant(sameSite: string, crossSite: string): unknown {
  const client = (client_id: string, origin: string) => ({
    name: client_id,
    client_id,
    app_type: 'spa',
    token_endpoint_auth_method: 'none',
    callbacks: [`${origin}/auth0js/callback.html`, `${origin}/lock/callback.html`],
    allowed_logout_urls: [`${origin}/auth0js/app.html`, `${origin}/lock/app.html`],
    web_origins: [origin],
    cross_origin_authentication: true,
    cross_origin_loc: `${origin}/auth0js/co-verify.html?client_id=${client_id}`,
  });
  const otp = { totp: { length: 6, time_step: 180 } };
  return {
    tenant: { friendly_name: 'Embedded' },
    clients: [client(CLIENT_ID, sameSite), client(CROSS_SITE_CLIENT_ID, crossSite)],
    connections: [
      { name: 'email', strategy: 'email', options: otp },
      { name: 'sms', strategy: 'sms', options: otp },
      // For auth0.js's signup and changePassword (test/clients/auth0-js-database.test.ts).
      { name: EMBEDDED_DB, strategy: 'auth0', options: { passwordPolicy: 'fair' } },
    ],
  };
}

/** The database connection of the embedded tenant. */
export const EMBEDDED_DB = 'Username-Password-Authentication';

export interface EmbeddedEnv {
  /** http://localhost:<port>: what the SDKs take as `domain` over plain HTTP. */
  domain: string;
  /** The issuer (`domain` + '/'), which auth0.js must be told through `overrides.__token_issuer` over HTTP. */
  issuer: string;
  /** http://localhost:<appPort>: the app on Understudy's site. */
  appOrigin: string;
  /** http://127.0.0.1:<appPort>: the same app on another site. */
  crossSiteOrigin: string;
  understudy: FastifyInstance;
  close(): Promise<void>;
}

export async function startEmbeddedEnv(): Promise<EmbeddedEnv> {
  const config: PageConfig = { domain: '', issuer: '' };
  const staticApp = await startStaticApp(config);
  const appPort = portOf(staticApp);
  const appOrigin = `http://localhost:${appPort}`;
  const crossSiteOrigin = `http://127.0.0.1:${appPort}`;
  try {
    const { app, domain } = await localhostTestApp(embeddedTenant(appOrigin, crossSiteOrigin));
    Object.assign(config, { domain, issuer: `${domain}/` });
    return {
      domain,
      issuer: `${domain}/`,
      appOrigin,
      crossSiteOrigin,
      understudy: app,
      async close() {
        await Promise.allSettled([app.close(), staticApp.close()]);
      },
    };
  } catch (err) {
    await staticApp.close();
    throw err;
  }
}
