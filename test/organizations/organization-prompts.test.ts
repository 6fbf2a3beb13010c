import { afterEach, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { buildTestApp, type TestApp } from '../support/app.js';
import { Browser, alertText } from '../support/browser.js';
import { CALLBACK, authorizeUrl, exchangeCode, latestMessage, pkcePair, transactionState } from '../support/flows.js';

/**
 * The organizations prompt (organization_usage: require, docs/research/auth0-organizations.md §2.2,
 * §4.4): with pre_login_prompt, organization-selection asks for the organization's name before the
 * login; with post_login_prompt, a user in several organizations chooses one on organization-picker
 * after it, a user in one goes on in it, and a user in none is refused with Auth0's words.
 */
const SPA = 'prompt-spa';
const tenant = (behavior: 'pre_login_prompt' | 'post_login_prompt') => ({
  tenant: { friendly_name: 'Harbor' },
  clients: [{ name: 'Prompt SPA', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK], organization_usage: 'require', organization_require_behavior: behavior }],
  connections: [{ name: 'email', strategy: 'email' }],
  users: [{ connection: 'email', email: 'two@harbor.example' }, { connection: 'email', email: 'one@harbor.example' }, { connection: 'email', email: 'none@harbor.example' }],
  organizations: [
    { name: 'acme', display_name: 'Acme', connections: [{ name: 'email' }], members: [{ email: 'two@harbor.example' }, { email: 'one@harbor.example' }] },
    { name: 'globex', display_name: 'Globex', connections: [{ name: 'email' }], members: [{ email: 'two@harbor.example' }] },
  ],
});

let t: TestApp;
afterEach(async () => t?.app.close());

/** /authorize without `organization`, then the email code; answers where the login lands after the code. */
async function loginWithoutOrganization(browser: Browser, email: string) {
  const { verifier, challenge } = pkcePair();
  const started = await browser.get(authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' }));
  const location = String(started.headers.location);
  return { location, state: transactionState(location), verifier };
}
async function codeStep(browser: Browser, loginId: string, state: string, email: string): Promise<string> {
  const sent = await browser.post(loginId, { state, username: email, action: 'default' });
  const code = (await latestMessage(t.app, email)).code;
  const verified = await browser.post(String(sent.headers.location), { state, code, action: 'default' });
  return String(verified.headers.location);
}
const orgIdOf = async (callback: URL, verifier: string) =>
  decodeJwt(((await exchangeCode(t.app, { client_id: SPA, code: callback.searchParams.get('code') ?? '', code_verifier: verifier })).json() as { id_token: string }).id_token).org_id;

describe('the organizations prompt', () => {
  it('pre_login_prompt: organization-selection first; an unknown name is refused; the login then belongs to the organization', async () => {
    t = await buildTestApp({ tenant: tenant('pre_login_prompt') });
    const browser = new Browser(t.app);
    const { location, state, verifier } = await loginWithoutOrganization(browser, 'one@harbor.example');
    expect(location).toBe(`/u/organization-selection?state=${encodeURIComponent(state)}`);
    expect((await browser.get(location)).body).toContain('Enter Organization');
    const unknown = await browser.post(location, { state, organizationName: 'initech', action: 'default' });
    expect(unknown.statusCode).toBe(400);
    expect(alertText(unknown.body)).toBe('The organization you entered is invalid');
    const chosen = await browser.post(location, { state, organizationName: 'Acme', action: 'default' });
    expect(String(chosen.headers.location)).toBe(`/u/login/identifier?state=${encodeURIComponent(state)}`);
    const resumed = await browser.get(await codeStep(browser, String(chosen.headers.location), state, 'one@harbor.example'));
    const callback = new URL(String(resumed.headers.location));
    expect(await orgIdOf(callback, verifier)).toMatch(/^org_/);
  });

  it('post_login_prompt: a user in two organizations chooses one on organization-picker; one in a single organization goes on in it', async () => {
    t = await buildTestApp({ tenant: tenant('post_login_prompt') });
    const browser = new Browser(t.app);
    const first = await loginWithoutOrganization(browser, 'two@harbor.example');
    const resume = await codeStep(browser, first.location, first.state, 'two@harbor.example');
    const picker = await browser.get(resume);
    expect(String(picker.headers.location)).toBe(`/u/organization-picker?state=${encodeURIComponent(first.state)}`);
    const page = await browser.get(String(picker.headers.location));
    expect(page.body).toContain('Choose an Organization');
    const globex = page.body.split('<button').map((button) => /name="organization" value="(org_[A-Za-z0-9]+)"[\s\S]*<span>Globex<\/span>/.exec(button)?.[1]).find(Boolean);
    expect(globex).toBeDefined();
    const picked = await browser.post(String(picker.headers.location), { state: first.state, organization: globex! });
    const callback = new URL(String((await browser.get(String(picked.headers.location))).headers.location));
    expect(await orgIdOf(callback, first.verifier)).toBe(globex);

    // A second login in the same browser: the session proves the user, so the picker comes at once.
    const again = await loginWithoutOrganization(browser, 'two@harbor.example');
    expect(again.location).toMatch(/^\/authorize\/resume\?state=/);
    const pickerAgain = await browser.get(again.location);
    expect(String(pickerAgain.headers.location)).toMatch(/^\/u\/organization-picker\?state=/);
    // prompt=none cannot show the picker: interaction_required for a user in two organizations.
    const { challenge } = pkcePair();
    const silent = await browser.get(authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', prompt: 'none' }));
    expect(new URL(String(silent.headers.location)).searchParams.get('error')).toBe('interaction_required');

    const other = new Browser(t.app);
    const single = await loginWithoutOrganization(other, 'one@harbor.example');
    const done = await other.get(await codeStep(other, single.location, single.state, 'one@harbor.example'));
    const acme = new URL(String(done.headers.location));
    expect(await orgIdOf(acme, single.verifier)).toMatch(/^org_/);
    // With prompt=none, the single organization's user is answered in it.
    const quiet = pkcePair();
    const silentOne = await other.get(authorizeUrl({ client_id: SPA, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', code_challenge: quiet.challenge, code_challenge_method: 'S256', prompt: 'none' }));
    expect(await orgIdOf(new URL(String(silentOne.headers.location)), quiet.verifier)).toMatch(/^org_/);

    const nobody = new Browser(t.app);
    const none = await loginWithoutOrganization(nobody, 'none@harbor.example');
    const refused = new URL(String((await nobody.get(await codeStep(nobody, none.location, none.state, 'none@harbor.example'))).headers.location));
    expect(Object.fromEntries(refused.searchParams)).toMatchObject({ error: 'invalid_request', error_description: 'client requires organization membership, but user does not belong to any organization' });
  });
});
