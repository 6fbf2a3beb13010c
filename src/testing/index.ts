/**
 * Helpers for your own end-to-end tests against a running Understudy: read one-time codes from the
 * dev mailbox, move its clock, reset it between tests, pin codes and simulate delivery trouble, and
 * walk the login screens with Playwright. Built on the public dev API only (`/_dev/api/*`). Also the
 * Chromium arguments for an HTTPS Understudy under its own host name (./chromium-args.ts).
 *
 *   import { createUnderstudyClient, loginWithPasswordless, chromiumArgs } from 'understudy/testing';
 */
import type { Message as DevMessage } from '../store/records.js';

export { chromiumArgs, spkiHash, pemCertificates, type ChromiumArgsOptions } from './chromium-args.js';
export { passSecondFactor, type MfaPageLike } from './second-factor.js';

export type { DevMessage };
export type { DevMfaEnrolment, PageLike, UnderstudyClient, WaitOptions } from './types.js';
import type { DevMfaEnrolment, PageLike, UnderstudyClient, WaitOptions } from './types.js';



export class UnderstudyError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(message: string, status: number, body: unknown) {
    super(message);
    this.name = 'UnderstudyError';
    this.status = status;
    this.body = body;
  }
}

/** The dev API's longest wait per request; longer timeouts are made of several requests. */
const MAX_WAIT_MS = 30_000;

export function createUnderstudyClient(baseUrl: string, options: { token?: string; fetch?: typeof fetch } = {}): UnderstudyClient {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const doFetch = options.fetch ?? fetch;

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await doFetch(new URL(path, base), {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (response.status >= 400 && response.status !== 404) {
      const description = (json as { error_description?: string } | undefined)?.error_description ?? text;
      throw new UnderstudyError(`${method} ${path} answered ${response.status}: ${description}`, response.status, json);
    }
    return { status: response.status, json };
  }

  async function waitForMessage({ to, channel, after, timeoutMs = 10_000 }: WaitOptions): Promise<DevMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const wait = Math.max(0, Math.min(MAX_WAIT_MS, deadline - Date.now()));
      const query = new URLSearchParams({ to, wait: String(wait) });
      if (channel) query.set('channel', channel);
      if (after) query.set('after', after);
      const { status, json } = await call('GET', `_dev/api/messages/latest?${query}`);
      if (status === 200) return json as DevMessage;
      if (Date.now() >= deadline) throw new UnderstudyError(`No message for ${to} within ${timeoutMs} ms`, 404, json);
    }
  }

  const clockDate = (json: unknown): Date => new Date((json as { now: string }).now);

  return {
    waitForMessage,
    async waitForCode(options) {
      const message = await waitForMessage(options);
      const code = message.code ?? (message.link ? new URL(message.link).searchParams.get('verification_code') : null);
      if (!code) throw new UnderstudyError(`The message ${message.id} carries no code`, 200, message);
      return code;
    },
    async messages(filter = {}) {
      const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]);
      return ((await call('GET', `_dev/api/messages?${query}`)).json as { messages: DevMessage[] }).messages;
    },
    async clearMessages() {
      await call('DELETE', '_dev/api/messages');
    },
    async reset() {
      await call('POST', '_dev/api/reset', {});
    },
    clock: {
      now: async () => clockDate((await call('GET', '_dev/api/clock')).json),
      advance: async (seconds) => clockDate((await call('POST', '_dev/api/clock', { advance_seconds: seconds })).json),
      set: async (time) => clockDate((await call('POST', '_dev/api/clock', { set: new Date(time).toISOString() })).json),
      reset: async () => clockDate((await call('DELETE', '_dev/api/clock')).json),
    },
    fixedCodes: {
      add: async (rule) => void (await call('POST', '_dev/api/fixed-codes', rule)),
      clear: async () => void (await call('DELETE', '_dev/api/fixed-codes')),
    },
    faults: {
      add: async (fault) => void (await call('POST', '_dev/api/faults', fault)),
      clear: async () => void (await call('DELETE', '_dev/api/faults')),
    },
    async mfaEnrolments(user) {
      const query = new URLSearchParams(user.userId ? { user_id: user.userId } : { email: user.email ?? '' });
      return ((await call('GET', `_dev/api/mfa?${query}`)).json as { enrolments: DevMfaEnrolment[] }).enrolments;
    },

    async pushDevice(authenticatorId, action) {
      return (await call('POST', `_dev/api/mfa/authenticators/${encodeURIComponent(authenticatorId)}/${action}`, {})).status === 200;
    },
  };
}


/**
 * Completes Understudy's Identifier First screens in a page that your app sent to /authorize:
 * enters the email or phone number, reads the code from the dev mailbox, enters it.
 */
export async function loginWithPasswordless(
  page: PageLike,
  options: { client: UnderstudyClient; email?: string; phone?: string; timeoutMs?: number },
): Promise<void> {
  const to = options.email ?? options.phone;
  if (!to) throw new Error('loginWithPasswordless needs an email or a phone');
  const timeout = options.timeoutMs ?? 10_000;
  const channel = options.email ? 'email' : 'sms';
  const recipient = options.email ? options.email.trim().toLowerCase() : to.replace(/[^\d+]/g, '');
  const previous = (await options.client.messages({ to: recipient, channel }))[0]?.id;

  await page.waitForSelector('#username', { timeout });
  await page.fill('#username', to);
  await page.click('button[name="action"][value="default"]');
  const code = await options.client.waitForCode({ to: recipient, channel, timeoutMs: timeout, ...(previous ? { after: previous } : {}) });
  await page.waitForSelector('#code', { timeout });
  await page.fill('#code', code);
  await page.click('button[name="action"][value="default"]');
}
