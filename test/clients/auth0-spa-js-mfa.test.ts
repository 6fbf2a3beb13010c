import { expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type * as SpaV2 from '@auth0/auth0-spa-js';
import * as OTPAuth from 'otpauth';
import { decodeJwt } from 'jose';
import { browserPerTest } from '../support/chromium.js';
import { at, completePasswordlessScreens, SDK_V2, startConformanceEnv, uniqueEmail, type ConformanceEnv } from '../support/spa-harness.js';
import { writeActionsExport } from '../support/actions-export.js';
import { ensureLocalCertificates, type LocalCertificates } from '../../src/tls/local-ca.js';
import { chromiumArgs } from '../../src/testing/index.js';
import { trustLocalCa } from '../support/trust-local-ca.js';

/**
 * auth0-spa-js's MFA API (`auth0.mfa`), unmodified in Chromium: a post-login Action asks for a second
 * factor when a refresh gets a token for the Payments API (a step-up). `getTokenSilently` for that API,
 * through the refresh token's Multi-Resource policy, raises `mfa_required`; `auth0.mfa` enrols an
 * authenticator app and verifies, and the token arrives. After a new login, `getAuthenticators`,
 * `challenge` and `verify` pass the step-up again. TOTP codes come from `otpauth`.
 *
 * The SDK's MFA client calls `https://<domain>/mfa/...` whatever the domain's scheme, so Understudy runs
 * in HTTPS mode here, with Chromium trusting its local CA (understudy/testing's chromiumArgs).
 */
const CLIENT_ID = 'spa-mfa';
const ORDERS = 'https://orders.example.com/';
const PAYMENTS = 'https://payments.example.com/';
const MFA_GRANTS = ['http://auth0.com/oauth/grant-type/mfa-otp', 'http://auth0.com/oauth/grant-type/mfa-oob', 'http://auth0.com/oauth/grant-type/mfa-recovery-code'];
const TEST_TIMEOUT = 90_000;

const STEP_UP = `exports.onExecutePostLogin = async (event, api) => {
  const stepped = (event.authentication?.methods ?? []).some((m) => m.name === 'mfa');
  if (event.resource_server?.identifier === '${PAYMENTS}' && !stepped) api.multifactor.enable('any', { allowRememberBrowser: false });
};`;

/**
 * The tenant: a Deploy CLI export for the Action (bound to post-login), with the client (whose URLs
 * name the app's port, known once it listens), the otp factor and no MFA policy added.
 */
async function startEnv(): Promise<{ close(): Promise<void> }> {
  const exported = writeActionsExport({
    actions: [{ name: 'Step up for payments', trigger: 'post-login', code: STEP_UP }],
    connections: [{ name: 'email', strategy: 'email' }],
    resourceServers: [
      { identifier: ORDERS, name: 'Orders', scopes: [{ value: 'read:orders' }], allow_offline_access: true },
      { identifier: PAYMENTS, name: 'Payments', scopes: [{ value: 'pay:invoices' }], allow_offline_access: true },
    ],
  });
  const tenantFor = (appOrigin: string) => ({
    ...(exported.read() as Record<string, unknown>),
    clients: [{
      name: 'Step-up SPA', client_id: CLIENT_ID, app_type: 'spa', token_endpoint_auth_method: 'none',
      callbacks: [`${appOrigin}/v2/callback`], allowed_logout_urls: [`${appOrigin}/v2/`], web_origins: [appOrigin],
      grant_types: ['authorization_code', 'refresh_token', ...MFA_GRANTS],
      refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0, policies: [{ audience: PAYMENTS, scope: ['pay:invoices'] }] },
    }],
    guardianFactors: [{ name: 'otp', enabled: true }],
  });
  try {
    certs = await ensureLocalCertificates(exported.dir, []);
    env = await startConformanceEnv(tenantFor, { tenantSource: exported.dir, https: { key: certs.keyPem, cert: `${certs.certPem.trimEnd()}\n${certs.caPem}`, localCaPem: certs.caPem } });
  } catch (err) {
    exported.remove();
    throw err;
  }
  // The harness reads the mailbox from this process, over HTTPS.
  const untrust = trustLocalCa(certs.caPem);
  return {
    close: async () => {
      await env.close();
      await untrust();
      exported.remove();
    },
  };
}

interface AppWindow {
  auth0: typeof SpaV2;
  spa: SpaV2.Auth0Client;
}

let env: ConformanceEnv;
let certs: LocalCertificates;
let context: BrowserContext;
let page: Page;

browserPerTest(startEnv, (session) => ({ context, page } = session), { launchArgs: () => chromiumArgs({ hosts: 'localhost', certificate: certs.caPem }) });

const totp = (secret: string, offsetMs = 0): string => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + offsetMs });

async function login(email: string): Promise<void> {
  const options: SpaV2.Auth0ClientOptions & { refreshTokenMode?: 'offline' } = {
    // The SDK's form: the host without a scheme (https is implied).
    domain: env.domain.replace(/^https:\/\//, ''),
    clientId: CLIENT_ID,
    useRefreshTokens: true,
    useMrrt: true,
    authorizationParams: { redirect_uri: `${env.appOrigin}/v2/callback`, audience: ORDERS, scope: 'openid email offline_access' },
  };
  await page.goto(`${env.appOrigin}/v2/`);
  await page.evaluate(async (opts) => {
    const w = window as unknown as AppWindow;
    void (await w.auth0.createAuth0Client(opts)).loginWithRedirect();
  }, options);
  await completePasswordlessScreens(page, env.domain, email);
  await page.waitForURL(at(env.appOrigin, '/v2/callback'));
  await page.evaluate(async (opts) => {
    const w = window as unknown as AppWindow;
    w.spa = await w.auth0.createAuth0Client(opts);
    await w.spa.handleRedirectCallback();
  }, options);
}

/** getTokenSilently for the Payments API: the token, or the SDK's error (its class name and fields). */
const paymentsToken = () =>
  page.evaluate(async (audience) => {
    const w = window as unknown as AppWindow;
    try {
      return { token: await w.spa.getTokenSilently({ authorizationParams: { audience, scope: 'openid pay:invoices' }, cacheMode: 'off' }) };
    } catch (err) {
      const e = err as { error?: string; error_description?: string; mfa_token?: string };
      return { failed: { type: (err as Error).constructor.name, isMfaRequired: err instanceof w.auth0.MfaRequiredError, error: e.error, description: e.error_description, mfaToken: e.mfa_token } };
    }
  }, PAYMENTS);

test(
  `${SDK_V2.label}: a step-up Action's mfa_required, passed through auth0.mfa (enrol, then list, challenge and verify)`,
  async () => {
    const email = uniqueEmail('spa-mfa');
    await login(email);

    const first = await paymentsToken();
    expect(first.failed).toMatchObject({ isMfaRequired: true, error: 'mfa_required', description: 'Multifactor authentication required' });
    const mfaToken = first.failed!.mfaToken!;
    expect(typeof mfaToken).toBe('string');

    // No authenticator yet: enrol an authenticator app, then verify with its code.
    const enrolled = await page.evaluate(async (token) => {
      const w = window as unknown as AppWindow;
      const before = await w.spa.mfa.getAuthenticators(token);
      const enrolment = await w.spa.mfa.enroll({ mfaToken: token, factorType: 'otp' });
      return { before, enrolment: enrolment as { authenticatorType: string; secret?: string; barcodeUri?: string } };
    }, mfaToken);
    expect(enrolled.before).toEqual([]);
    expect(enrolled.enrolment.authenticatorType).toBe('otp');
    const secret = enrolled.enrolment.secret!;
    expect(OTPAuth.URI.parse(enrolled.enrolment.barcodeUri!).secret.base32).toBe(secret);
    const verified = await page.evaluate(async ({ token, otp }) => {
      const w = window as unknown as AppWindow;
      const response = await w.spa.mfa.verify({ mfaToken: token, otp });
      return { access: response.access_token, cached: await w.spa.getTokenSilently({ authorizationParams: { audience: 'https://payments.example.com/', scope: 'openid pay:invoices' } }) };
    }, { token: mfaToken, otp: totp(secret) });
    expect(decodeJwt(verified.access)).toMatchObject({ aud: expect.arrayContaining([PAYMENTS]), scope: expect.stringContaining('pay:invoices') });
    // The SDK cached it for the Payments API.
    expect(verified.cached).toBe(verified.access);

    // A new login (the Understudy session cleared): the step-up again, now with the enrolled app.
    await context.clearCookies();
    await login(email);
    const again = await paymentsToken();
    expect(again.failed).toMatchObject({ isMfaRequired: true, error: 'mfa_required' });
    const passed = await page.evaluate(async ({ token, nextCode }) => {
      const w = window as unknown as AppWindow;
      const authenticators = await w.spa.mfa.getAuthenticators(token);
      const otpAuthenticator = authenticators.find((a) => a.authenticatorType === 'otp');
      if (!otpAuthenticator) return { authenticators };
      const challenge = await w.spa.mfa.challenge({ mfaToken: token, challengeType: 'otp', authenticatorId: otpAuthenticator.id });
      const response = await w.spa.mfa.verify({ mfaToken: token, otp: nextCode });
      return { authenticators, challenge, access: response.access_token };
    }, { token: again.failed!.mfaToken!, nextCode: totp(secret, 30_000) });
    expect(passed.authenticators).toEqual([expect.objectContaining({ authenticatorType: 'otp', active: true })]);
    expect(passed.challenge).toMatchObject({ challengeType: 'otp' });
    expect(decodeJwt(passed.access!)).toMatchObject({ aud: expect.arrayContaining([PAYMENTS]) });
  },
  TEST_TIMEOUT,
);
