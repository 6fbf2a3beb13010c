#!/usr/bin/env node
// A full passwordless email login against a running Understudy, over plain HTTP, the way a browser and a
// regular web app would do it (Auth0 Identifier First + authorization code with PKCE):
//
//   node scripts/docker-login-check.mjs http://localhost:4000 [expected-issuer]
//
// With expected-issuer (e.g. http://localhost:4000/), the discovery document's issuer must equal it.
// Prints one line per step and exits 1 with the failing response (status, Location, body) on the first
// step that does not answer as expected. Uses the default tenant's `understudy-web` client, which
// docker/tenant.example.yaml mirrors. Needs only Node 20 and the project's runtime dependency `jose`.
// The dev mailbox API is called with UNDERSTUDY_DEV_TOKEN as a Bearer token when that is set (a
// container listens beyond loopback, so its dev routes ask for one).
import { createHash, randomBytes } from 'node:crypto';

const CLIENT_ID = 'understudy-web';
const CLIENT_SECRET = 'understudy-web-secret';
const REDIRECT_URI = 'http://localhost:3000/callback';
const APP_STATE = 'xyz';

const arg = process.argv[2];
if (!arg) {
  console.error('usage: node scripts/docker-login-check.mjs <baseUrl> [expected-issuer]   e.g. http://localhost:4000');
  process.exit(2);
}
const expectedIssuer = process.argv[3];
const base = new URL(arg.endsWith('/') ? arg : `${arg}/`);

let jose;
try {
  jose = await import('jose');
} catch {
  console.error('login-check: cannot import "jose" (a runtime dependency of this project): run `npm ci` first');
  process.exit(2);
}

class StepFailure extends Error {}

let stepNo = 0;
async function step(title, fn) {
  stepNo += 1;
  const started = performance.now();
  try {
    const detail = await fn();
    const ms = Math.round(performance.now() - started);
    console.log(`ok   ${stepNo}. ${title}${detail ? ` — ${detail}` : ''} (${ms} ms)`);
  } catch (err) {
    console.log(`FAIL ${stepNo}. ${title}`);
    console.error(`login-check: step ${stepNo} (${title}) failed: ${err instanceof StepFailure ? err.message : err?.stack ?? err}`);
    process.exit(1);
  }
}

// --- a minimal cookie jar: name=value pairs, as a browser would send them back to this one origin ---
const jar = new Map();
function storeCookies(res) {
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attrs.some((a) => {
      const [k, v = ''] = a.trim().split('=');
      const key = k.toLowerCase();
      return (key === 'max-age' && Number(v) <= 0) || (key === 'expires' && Date.parse(v) <= Date.now());
    });
    if (expired) jar.delete(name);
    else jar.set(name, value);
  }
}
const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

async function request(method, target, { form, headers = {} } = {}) {
  const url = new URL(target, base);
  const init = { method, redirect: 'manual', headers: { accept: 'text/html,application/json', ...headers } };
  if (url.origin === base.origin && url.pathname.startsWith(`${base.pathname}_dev/`) && process.env.UNDERSTUDY_DEV_TOKEN) {
    init.headers.authorization = `Bearer ${process.env.UNDERSTUDY_DEV_TOKEN}`;
  }
  if (url.origin === base.origin && jar.size) init.headers.cookie = cookieHeader();
  if (form) {
    init.headers['content-type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams(form).toString();
  }
  let res;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    throw new StepFailure(`${method} ${url} did not answer: ${err?.cause?.code ?? ''} ${err?.cause?.message ?? err?.message ?? err}`);
  }
  storeCookies(res);
  const text = await res.text();
  return { url, status: res.status, location: res.headers.get('location'), text, res };
}

function describe(r) {
  const body = r.text.replace(/\s+/g, ' ').trim().slice(0, 600);
  return `${r.status}${r.location ? ` Location: ${r.location}` : ''}${body ? ` body: ${body}` : ''}`;
}

function expectRedirect(r, pathname) {
  if (r.status < 300 || r.status > 399 || !r.location) {
    throw new StepFailure(`expected a redirect to ${pathname}, got ${describe(r)}`);
  }
  const next = new URL(r.location, base);
  if (next.pathname !== pathname) {
    throw new StepFailure(`expected a redirect to ${pathname}, got ${describe(r)}`);
  }
  return next;
}

function expectJson(r, what) {
  if (r.status !== 200) throw new StepFailure(`expected 200 with ${what}, got ${describe(r)}`);
  try {
    return JSON.parse(r.text);
  } catch {
    throw new StepFailure(`expected JSON with ${what}, got ${describe(r)}`);
  }
}

const b64url = (buf) => buf.toString('base64url');
const verifier = b64url(randomBytes(32));
const challenge = b64url(createHash('sha256').update(verifier).digest());
const email = `login-check-${randomBytes(4).toString('hex')}@example.com`;

let txn; // the login transaction's state, taken from the redirects, never made up
let next; // the URL the last redirect pointed to
let code; // the one-time code from the dev mailbox
let authCode;
let tokens;

console.log(`login-check: ${base.origin} as ${email}`);

await step('GET /authorize', async () => {
  const q = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid profile email',
    state: APP_STATE,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const r = await request('GET', `authorize?${q}`);
  next = expectRedirect(r, '/u/login/identifier');
  txn = next.searchParams.get('state');
  if (!txn) throw new StepFailure(`the redirect carries no ?state=: ${describe(r)}`);
  if (jar.size === 0) throw new StepFailure(`no cookie was set: ${describe(r)}`);
  return `302 ${next.pathname}?state=${txn.slice(0, 8)}…, cookies: ${[...jar.keys()].join(', ')}`;
});

await step('GET /u/login/identifier (the page renders)', async () => {
  const r = await request('GET', next.pathname + next.search);
  if (r.status !== 200 || !/<form/i.test(r.text)) throw new StepFailure(`expected 200 with a <form>, got ${describe(r)}`);
  return `200, ${r.text.length} bytes`;
});

await step('POST /u/login/identifier', async () => {
  const r = await request('POST', `u/login/identifier?state=${encodeURIComponent(txn)}`, {
    form: { state: txn, username: email, action: 'default' },
  });
  next = expectRedirect(r, '/u/login/passwordless-email-challenge');
  return `302 ${next.pathname}`;
});

await step('GET /_dev/api/messages/latest (the emailed code)', async () => {
  const r = await request('GET', `_dev/api/messages/latest?to=${encodeURIComponent(email)}&wait=5000`);
  const msg = expectJson(r, 'the newest message');
  if (msg?.to !== email || typeof msg?.code !== 'string' || !msg.code) {
    throw new StepFailure(`expected a message to ${email} with a code, got ${describe(r)}`);
  }
  code = msg.code;
  return `message ${msg.id} on ${msg.channel}, code ${code.length} digits`;
});

await step('POST /u/login/passwordless-email-challenge', async () => {
  const r = await request('POST', `${next.pathname.slice(1)}?state=${encodeURIComponent(txn)}`, {
    form: { state: txn, code, action: 'default' },
  });
  next = expectRedirect(r, '/authorize/resume');
  return `302 ${next.pathname}`;
});

await step('GET /authorize/resume', async () => {
  const r = await request('GET', next.pathname.slice(1) + next.search);
  if (r.status < 300 || r.status > 399 || !r.location) throw new StepFailure(`expected a redirect to ${REDIRECT_URI}, got ${describe(r)}`);
  const cb = new URL(r.location, base);
  if (`${cb.origin}${cb.pathname}` !== REDIRECT_URI) throw new StepFailure(`expected a redirect to ${REDIRECT_URI}, got ${describe(r)}`);
  if (cb.searchParams.get('error')) throw new StepFailure(`the callback carries an error: ${describe(r)}`);
  if (cb.searchParams.get('state') !== APP_STATE) throw new StepFailure(`the callback's state is not ${APP_STATE}: ${describe(r)}`);
  authCode = cb.searchParams.get('code');
  if (!authCode) throw new StepFailure(`the callback carries no code: ${describe(r)}`);
  return `302 ${REDIRECT_URI}?code=…&state=${APP_STATE}`;
});

await step('POST /oauth/token', async () => {
  const r = await request('POST', 'oauth/token', {
    headers: { accept: 'application/json' },
    form: {
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      code: authCode,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    },
  });
  tokens = expectJson(r, 'tokens');
  if (typeof tokens.id_token !== 'string' || typeof tokens.access_token !== 'string') {
    throw new StepFailure(`expected id_token and access_token, got ${describe(r)}`);
  }
  return `token_type ${tokens.token_type}, expires_in ${tokens.expires_in}`;
});

await step('verify the id_token (discovery, JWKS, iss, aud, email)', async () => {
  const d = await request('GET', '.well-known/openid-configuration', { headers: { accept: 'application/json' } });
  const discovery = expectJson(d, 'the OpenID configuration');
  if (!discovery.issuer) throw new StepFailure(`the OpenID configuration has no issuer: ${describe(d)}`);
  if (expectedIssuer && discovery.issuer !== expectedIssuer) {
    throw new StepFailure(`the OpenID configuration's issuer is ${discovery.issuer}, expected ${expectedIssuer}`);
  }
  const k = await request('GET', '.well-known/jwks.json', { headers: { accept: 'application/json' } });
  const jwks = expectJson(k, 'the JWKS');
  let payload;
  let protectedHeader;
  try {
    ({ payload, protectedHeader } = await jose.jwtVerify(tokens.id_token, jose.createLocalJWKSet(jwks), {
      issuer: discovery.issuer,
      audience: CLIENT_ID,
    }));
  } catch (err) {
    const claims = (() => {
      try {
        return JSON.stringify(jose.decodeJwt(tokens.id_token));
      } catch {
        return '(not a JWT)';
      }
    })();
    throw new StepFailure(`${err?.code ?? ''} ${err?.message ?? err}; issuer ${discovery.issuer}; claims ${claims}`);
  }
  if (payload.email !== email) throw new StepFailure(`email claim is ${JSON.stringify(payload.email)}, expected ${email}`);
  return `${protectedHeader.alg} kid ${protectedHeader.kid}, iss ${payload.iss}, sub ${payload.sub}`;
});

console.log(`login-check: passed (${stepNo} steps)`);
