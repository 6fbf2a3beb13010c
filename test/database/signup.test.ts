import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { post, token } from '../support/api.js';

/**
 * POST /dbconnections/signup over HTTP: Auth0's success body (`_id` without its provider), its
 * generic refusal of a taken email, the password policy's refusal with password-sheriff's rules and
 * text (the expected bodies below are written out from Auth0's recorded answers, not computed), and
 * the connection's switches. Sources: docs/research/auth0-database-connections.md §1.
 */
const DB = 'Username-Password-Authentication';
const CLIENT = 'signup-spa';
const ORIGIN = 'http://localhost:3000';
const PASSWORD_REALM = 'http://auth0.com/oauth/grant-type/password-realm';

const tenant = (options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  clients: [{ name: 'Signup SPA', client_id: CLIENT, app_type: 'spa', callbacks: [`${ORIGIN}/callback`], web_origins: [ORIGIN], grant_types: ['authorization_code', PASSWORD_REALM] }],
  connections: [{ name: DB, strategy: 'auth0', enabled_clients: ['Signup SPA'], options: { passwordPolicy: 'good', ...options } }],
  ...extra,
});

/** Auth0's answer for "a3" under the good policy (go-auth0's recorded PasswordStrengthError, with this password's verified flags). */
const GOOD_POLICY = '* At least 8 characters in length\n* Contain at least 3 of the following 4 types of characters:\n * lower case letters (a-z)\n * upper case letters (A-Z)\n * numbers (i.e. 0-9)\n * special characters (e.g. !@#$%^&*)';
const WEAK_A3 = {
  name: 'PasswordStrengthError',
  message: 'Password is too weak',
  code: 'invalid_password',
  description: {
    rules: [
      { message: 'At least %d characters in length', format: [8], code: 'lengthAtLeast', verified: false },
      {
        message: 'Contain at least %d of the following %d types of characters:',
        code: 'containsAtLeast',
        format: [3, 4],
        items: [
          { message: 'lower case letters (a-z)', code: 'lowerCase', verified: true },
          { message: 'upper case letters (A-Z)', code: 'upperCase', verified: false },
          { message: 'numbers (i.e. 0-9)', code: 'numbers', verified: true },
          { message: 'special characters (e.g. !@#$%^&*)', code: 'specialCharacters', verified: false },
        ],
        verified: false,
      },
    ],
    verified: false,
  },
  policy: GOOD_POLICY,
  statusCode: 400,
};

let t: TestApp;
afterEach(async () => t.app.close());

const signup = (body: Record<string, unknown>, kind: 'json' | 'form' = 'json') => post(t.app, '/dbconnections/signup', { client_id: CLIENT, connection: DB, ...body }, kind);

describe('POST /dbconnections/signup', () => {
  beforeEach(async () => {
    t = await buildTestApp({ tenant: tenant() });
  });

  it('creates the user with an unverified email and answers Auth0\'s body; the password then logs in', async () => {
    const created = await signup({ email: 'New.Person@Example.com', password: 'Sturdy-pass-1', given_name: 'New', family_name: 'Person' });
    expect(created.statusCode, created.body).toBe(200);
    const body = created.json();
    expect(Object.keys(body)).toEqual(['_id', 'email', 'email_verified', 'given_name', 'family_name']);
    expect(body).toEqual({ _id: expect.stringMatching(/^[0-9a-f]{24}$/), email: 'new.person@example.com', email_verified: false, given_name: 'New', family_name: 'Person' });

    const login = await token(t.app, { grant_type: PASSWORD_REALM, client_id: CLIENT, realm: DB, username: 'new.person@example.com', password: 'Sturdy-pass-1', scope: 'openid email' });
    expect(login.statusCode, login.body).toBe(200);
    const claims = JSON.parse(Buffer.from(String(login.json().id_token).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: `auth0|${body._id}`, email: 'new.person@example.com', email_verified: false });
  });

  it('answers a taken email with Auth0\'s generic refusal, which does not say the user exists', async () => {
    expect((await signup({ email: 'taken@example.com', password: 'Sturdy-pass-1' })).statusCode).toBe(200);
    const again = await signup({ email: 'TAKEN@example.com', password: 'Another-pass-2' });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ name: 'BadRequestError', code: 'invalid_signup', description: 'Invalid sign up', statusCode: 400 });
  });

  it('says user_exists instead where the tenant turned enable_public_signup_user_exists_error on', async () => {
    await t.app.close();
    t = await buildTestApp({ tenant: tenant({}, { tenant: { flags: { enable_public_signup_user_exists_error: true, some_other_flag: false } } }) });
    expect((await signup({ email: 'told@example.com', password: 'Sturdy-pass-1' })).statusCode).toBe(200);
    const again = await signup({ email: 'told@example.com', password: 'Another-pass-2' });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ name: 'BadRequestError', code: 'user_exists', description: 'The user already exists.', statusCode: 400 });
  });

  it('refuses a password below the policy with its rules and text, byte for byte, and takes a form body too', async () => {
    const weak = await signup({ email: 'weak@example.com', password: 'a3' }, 'form');
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toBe(JSON.stringify(WEAK_A3));
    // Nothing was created: the same email signs up with a good password.
    expect((await signup({ email: 'weak@example.com', password: 'Sturdy-pass-1' })).statusCode).toBe(200);
  });

  it('names what is missing or wrong', async () => {
    expect((await signup({ email: 'x@example.com' })).json()).toMatchObject({ code: 'invalid_body', description: 'Missing required parameter: password' });
    expect((await signup({ password: 'Sturdy-pass-1' })).json()).toMatchObject({ code: 'invalid_body', description: 'Missing required parameter: email' });
    expect((await signup({ email: 'not-an-email', password: 'Sturdy-pass-1' })).json()).toMatchObject({ code: 'invalid_body', description: 'Email is not valid.' });
    expect((await signup({ connection: 'nope', email: 'x@example.com', password: 'Sturdy-pass-1' })).json()).toMatchObject({ code: 'invalid_connection' });
    expect((await signup({ email: 'x@example.com', password: 'Sturdy-pass-1', user_metadata: 'plan=gold' })).json()).toMatchObject({ code: 'invalid_body', description: 'user_metadata must be an object' });
  });

  it('answers the application\'s origin (CORS), as auth0.js and Lock call it from the page', async () => {
    const preflight = await t.app.inject({ method: 'OPTIONS', url: '/dbconnections/signup', headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,auth0-client' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ORIGIN);
  });
});

describe('POST /dbconnections/signup: the connection\'s switches', () => {
  it('disable_signup answers Auth0\'s bare error', async () => {
    t = await buildTestApp({ tenant: tenant({ disable_signup: true }) });
    const refused = await signup({ email: 'x@example.com', password: 'Sturdy-pass-1' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ error: 'public signup is disabled' });
  });

  it('password_complexity_options.min_length replaces the level\'s minimum', async () => {
    t = await buildTestApp({ tenant: tenant({ passwordPolicy: 'low', password_complexity_options: { min_length: 12 } }) });
    const short = await signup({ email: 'x@example.com', password: 'elevenchars' });
    expect(short.json()).toEqual({
      name: 'PasswordStrengthError', message: 'Password is too weak', code: 'invalid_password',
      description: { rules: [{ message: 'At least %d characters in length', format: [12], code: 'lengthAtLeast', verified: false }], verified: false },
      policy: '* At least 12 characters in length', statusCode: 400,
    });
    expect((await signup({ email: 'x@example.com', password: 'twelve chars' })).statusCode).toBe(200);
  });

  it('password_no_personal_info refuses a password holding the email\'s name', async () => {
    t = await buildTestApp({ tenant: tenant({ password_no_personal_info: { enable: true } }) });
    const personal = await signup({ email: 'marguerite@example.com', password: 'Marguerite-2026' });
    expect(personal.json()).toEqual({ name: 'PasswordNoUserInfoError', message: 'Password contains user information', code: 'invalid_password', description: 'Password contains user information', statusCode: 400 });
  });

  it('requires_username: the username is required, kept and echoed, and a taken one is refused', async () => {
    t = await buildTestApp({ tenant: tenant({ requires_username: true }) });
    expect((await signup({ email: 'u1@example.com', password: 'Sturdy-pass-1' })).json()).toMatchObject({ description: 'Missing required parameter: username' });
    const created = await signup({ email: 'u1@example.com', username: 'river_song', password: 'Sturdy-pass-1' });
    expect(Object.keys(created.json())).toEqual(['_id', 'email', 'username', 'email_verified']);
    expect(created.json()).toMatchObject({ username: 'river_song' });
    expect((await signup({ email: 'u2@example.com', username: 'River_Song', password: 'Sturdy-pass-1' })).json()).toMatchObject({ code: 'invalid_signup' });
  });
});
