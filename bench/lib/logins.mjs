// The logins the benchmark times, one function per flow. Each builds a fresh browser (cookie jar) per
// login, follows every hop the way a browser would (including GETs of the pages it then posts) and
// checks the final tokens, which Understudy's logins return (the token response, parsed).
import { CookieJar, FlowError, FORM, JSON_TYPE, form, locationPath, send } from './flows.mjs';

export const UNDERSTUDY_WEB = { clientId: 'understudy-web', clientSecret: 'understudy-web-secret', redirectUri: 'http://localhost:3000/callback' };
/** Every Understudy the bench starts has this dev token: a tenant with Actions bound asks for one. */
export const BENCH_DEV_TOKEN = 'understudy-bench-dev-token';

function assertTokens(text, wantIdToken) {
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FlowError(`token response is not JSON: ${text.slice(0, 120)}`);
  }
  if (typeof json.access_token !== 'string') throw new FlowError(`no access_token: ${text.slice(0, 200)}`);
  if (wantIdToken && typeof json.id_token !== 'string') throw new FlowError(`no id_token: ${text.slice(0, 200)}`);
  return json;
}

/** Reads the newest code sent to `to` from Understudy's dev API. */
async function understudyCode(pool, to) {
  const res = await send(pool, { path: `/_dev/api/messages/latest?to=${encodeURIComponent(to)}`, headers: { authorization: `Bearer ${BENCH_DEV_TOKEN}` }, expect: 200 });
  const code = JSON.parse(res.text).code;
  if (!code) throw new FlowError(`no code in the message for ${to}`);
  return code;
}

/**
 * Understudy's Authentication API login, as an app with embedded login does it:
 * POST /passwordless/start (send=code) → read the code from the dev API → otp grant at /oauth/token.
 */
export async function understudyApiLogin(pool, email) {
  const c = UNDERSTUDY_WEB;
  await send(pool, {
    method: 'POST',
    path: '/passwordless/start',
    headers: JSON_TYPE,
    body: JSON.stringify({ client_id: c.clientId, client_secret: c.clientSecret, connection: 'email', email, send: 'code' }),
    expect: 200,
  });
  const otp = await understudyCode(pool, email);
  const res = await send(pool, {
    method: 'POST',
    path: '/oauth/token',
    headers: FORM,
    body: form({
      grant_type: 'http://auth0.com/oauth/grant-type/passwordless/otp',
      client_id: c.clientId,
      client_secret: c.clientSecret,
      username: email,
      otp,
      realm: 'email',
      scope: 'openid profile email',
    }),
    expect: 200,
  });
  return assertTokens(res.text, true);
}

/**
 * The first factor of Understudy's Universal Login, as a browser does it: /authorize → GET and POST the
 * identifier screen → GET the email challenge, read the code, POST it → GET /authorize/resume (302).
 * Returns the browser, the app's `state`, the transaction's and where resume sent the browser.
 */
async function understudyPageFirstFactor(pool, email, n, extra = {}) {
  const c = UNDERSTUDY_WEB;
  const jar = new CookieJar();
  const state = `s${n}`;
  const authorize = `/authorize?${form({ response_type: 'code', client_id: c.clientId, redirect_uri: c.redirectUri, scope: 'openid profile email', state, nonce: `n${n}`, ...extra })}`;
  let res = await send(pool, { path: authorize, jar, expect: 302 });
  const identifier = locationPath(res.headers).path;
  if (!identifier.startsWith('/u/login/identifier')) throw new FlowError(`/authorize went to ${identifier}`);
  await send(pool, { path: identifier, jar, expect: 200 });
  const txn = new URL(identifier, 'http://x').searchParams.get('state');
  res = await send(pool, { method: 'POST', path: identifier, headers: FORM, body: form({ state: txn, username: email, action: 'default' }), jar, expect: 302 });
  const challenge = locationPath(res.headers).path;
  await send(pool, { path: challenge, jar, expect: 200 });
  const code = await understudyCode(pool, email);
  res = await send(pool, { method: 'POST', path: challenge, headers: FORM, body: form({ state: txn, code, action: 'default' }), jar, expect: 302 });
  res = await send(pool, { path: locationPath(res.headers).path, jar, expect: 302 });
  return { jar, state, txn, resumed: res };
}

/** The end of a page login: the callback `res` redirected to must carry a code and the app's state; the code → tokens. */
async function understudyCallbackTokens(pool, res, state) {
  const c = UNDERSTUDY_WEB;
  const callback = locationPath(res.headers).url;
  const authCode = callback.searchParams.get('code');
  if (!authCode || callback.searchParams.get('state') !== state) throw new FlowError(`resume did not return a code: ${res.headers.location}`);
  res = await send(pool, {
    method: 'POST',
    path: '/oauth/token',
    headers: FORM,
    body: form({ grant_type: 'authorization_code', client_id: c.clientId, client_secret: c.clientSecret, code: authCode, redirect_uri: c.redirectUri }),
    expect: 200,
  });
  return assertTokens(res.text, true);
}

/**
 * Understudy's Universal Login, as a browser does it: /authorize (with `extraAuthorize`'s parameters,
 * such as `organization`) → GET and POST the identifier screen → GET the email challenge, read the
 * code, POST it → /authorize/resume → code at the callback → token.
 */
export async function understudyPageLogin(pool, email, n, extraAuthorize = {}) {
  const { state, resumed } = await understudyPageFirstFactor(pool, email, n, extraAuthorize);
  return understudyCallbackTokens(pool, resumed, state);
}

/**
 * The same page login with an authenticator app as second factor: after the email code,
 * /authorize/resume must send the browser to /u/mfa-otp-challenge (a login that skipped it fails); GET
 * it, POST the app's current code (`totpCode()`) → /authorize/resume again → code at the callback →
 * token, whose ID token must say `amr: ["mfa"]`.
 */
export async function understudyMfaPageLogin(pool, email, n, totpCode) {
  const { jar, state, txn, resumed } = await understudyPageFirstFactor(pool, email, n);
  const challenge = locationPath(resumed.headers).path;
  if (!challenge.startsWith('/u/mfa-otp-challenge?')) throw new FlowError(`resume went to ${resumed.headers.location}, not the otp challenge`);
  await send(pool, { path: challenge, jar, expect: 200 });
  let res = await send(pool, { method: 'POST', path: challenge, headers: FORM, body: form({ state: txn, code: totpCode(), action: 'default' }), jar, expect: 302 });
  const resume = locationPath(res.headers).path;
  if (!resume.startsWith('/authorize/resume?')) throw new FlowError(`the otp challenge went to ${res.headers.location}`);
  res = await send(pool, { path: resume, jar, expect: 302 });
  const tokens = await understudyCallbackTokens(pool, res, state);
  const amr = idTokenClaims(tokens).amr;
  if (!Array.isArray(amr) || !amr.includes('mfa')) throw new FlowError(`the ID token after the otp challenge has amr ${JSON.stringify(amr)}`);
  return tokens;
}

/**
 * The same API login on a database connection with email_otp (Auth0's passwordless on database
 * connections): POST /otp/challenge (allow_signup) → the code from the dev API → the otp grant with
 * the auth_session. The ID token must name an `auth0|` user.
 */
export async function understudyDbOtpLogin(pool, email, connection) {
  const c = UNDERSTUDY_WEB;
  const challenge = await send(pool, {
    method: 'POST',
    path: '/otp/challenge',
    headers: JSON_TYPE,
    body: JSON.stringify({ client_id: c.clientId, client_secret: c.clientSecret, connection, email, allow_signup: true }),
    expect: 200,
  });
  const authSession = JSON.parse(challenge.text).auth_session;
  const otp = await understudyCode(pool, email);
  const res = await send(pool, {
    method: 'POST',
    path: '/oauth/token',
    headers: FORM,
    body: form({ grant_type: 'http://auth0.com/oauth/grant-type/passwordless/otp', client_id: c.clientId, client_secret: c.clientSecret, auth_session: authSession, otp, scope: 'openid profile email' }),
    expect: 200,
  });
  const tokens = assertTokens(res.text, true);
  const sub = idTokenClaims(tokens).sub;
  if (!String(sub).startsWith('auth0|')) throw new FlowError(`the database OTP login's ID token names ${sub}, not a database user`);
  return tokens;
}

/** The payload of a token response's ID token (not verified: the flows check what the server said). */
export function idTokenClaims(tokens) {
  try {
    return JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString());
  } catch {
    throw new FlowError(`the ID token is not a JWT: ${String(tokens.id_token).slice(0, 80)}`);
  }
}

export const AUTHHERO_CLIENT = { clientId: 'benchclient', clientSecret: 'benchclient-secret', redirectUri: 'http://localhost:3000/callback' };

/**
 * AuthHero 0.162.0's server-rendered Universal Login (/u), the same page flow: /authorize → GET and POST
 * /u/login/identifier → GET /u/enter-code, read the code (the harness keeps what its email provider
 * was handed), POST it → code at the callback → token.
 */
export async function authheroPageLogin(pool, email, n) {
  return authheroPages(pool, email, n, '/u/enter-code');
}

/**
 * AuthHero 8.22.1's server-rendered Universal Login (/u, which 8.x calls deprecated in favour of the /u2
 * widget pages, but still serves to clients without `universal_login_version: "2"`): the same flow and
 * the same number of requests as 0.162.0's; only the code screen moved, to /u/login/email-otp-challenge.
 * It too redirects straight to the callback (no /authorize/resume hop).
 */
export async function authhero8PageLogin(pool, email, n) {
  return authheroPages(pool, email, n, '/u/login/email-otp-challenge');
}

async function authheroPages(pool, email, n, codeScreen) {
  const c = AUTHHERO_CLIENT;
  const jar = new CookieJar();
  const state = `s${n}`;
  const authorize = `/authorize?${form({ response_type: 'code', client_id: c.clientId, redirect_uri: c.redirectUri, scope: 'openid profile email', state, nonce: `n${n}`, ui_locales: 'en' })}`;
  let res = await send(pool, { path: authorize, jar, expect: 302 });
  const identifier = locationPath(res.headers).path;
  if (!identifier.startsWith('/u/login/identifier')) throw new FlowError(`/authorize went to ${identifier}`);
  await send(pool, { path: identifier, jar, expect: 200 });
  res = await send(pool, { method: 'POST', path: identifier, headers: FORM, body: form({ username: email }), jar, expect: 302 });
  const enterCode = locationPath(res.headers).path;
  if (!enterCode.startsWith(`${codeScreen}?`)) throw new FlowError(`identifier went to ${enterCode}`);
  await send(pool, { path: enterCode, jar, expect: 200 });
  const read = await send(pool, { path: `/_bench/code?to=${encodeURIComponent(email)}`, expect: 200 });
  res = await send(pool, { method: 'POST', path: enterCode, headers: FORM, body: form({ code: read.text }), jar, expect: 302 });
  const callback = locationPath(res.headers).url;
  const authCode = callback.searchParams.get('code');
  if (!authCode) throw new FlowError(`enter-code did not return a code: ${res.headers.location}`);
  res = await send(pool, {
    method: 'POST',
    path: '/oauth/token',
    headers: FORM,
    body: form({ grant_type: 'authorization_code', client_id: c.clientId, client_secret: c.clientSecret, code: authCode, redirect_uri: c.redirectUri }),
    expect: 200,
  });
  assertTokens(res.text, true);
}
