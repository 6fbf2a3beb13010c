import type { PageLike, UnderstudyClient } from './types.js';

/** What passSecondFactor needs of a Playwright `Page`, besides PageLike. */
export interface MfaPageLike extends PageLike {
  url(): string;
  check(selector: string): Promise<void>;
  waitForURL(url: (url: URL) => boolean, options?: { timeout?: number }): Promise<void>;
}

const isMfaScreen = (url: URL): boolean => url.pathname.startsWith('/u/mfa-');

/**
 * Passes Understudy's second factor in a page that reached it, whatever the screen: enrols an
 * authenticator app (or answers its challenge) with the code the dev API computes, reads an SMS or
 * email code from the mailbox, scans a push QR code and approves a push notification as the device,
 * presses the WebAuthn screens' button (the page needs an authenticator: in Playwright, a CDP virtual
 * one), and records a new recovery code, until the login leaves the MFA screens. `rememberBrowser` ticks "Remember this device for 30 days" where the screen offers it.
 *
 * An authenticator app's code passes once: two challenges for the same user within one 30-second
 * window need the clock moved on in between (`client.clock.advance(30)`).
 */
export async function passSecondFactor(
  page: MfaPageLike,
  options: { client: UnderstudyClient; email: string; rememberBrowser?: boolean; timeoutMs?: number },
): Promise<void> {
  const timeout = options.timeoutMs ?? 10_000;
  const submit = (): Promise<unknown> => page.click('button[name="action"][value="default"]');
  for (let step = 0; step < 6; step++) {
    const url = new URL(page.url());
    if (!isMfaScreen(url)) return;
    const screen = url.pathname;
    if (screen === '/u/mfa-begin-enroll-options') {
      await page.click('button[data-factor="otp"]');
    } else if (screen === '/u/mfa-otp-enrollment' || screen === '/u/mfa-otp-challenge') {
      const enrolling = screen === '/u/mfa-otp-enrollment';
      await page.waitForSelector('input[name="code"]', { timeout });
      const otp = (await options.client.mfaEnrolments({ email: options.email })).filter((e) => e.factor === 'otp' && e.confirmed !== enrolling).at(-1);
      if (!otp?.current_code) throw new Error(`No ${enrolling ? 'pending' : 'confirmed'} authenticator app for ${options.email} in /_dev/api/mfa`);
      await page.fill('input[name="code"]', otp.current_code);
      if (options.rememberBrowser && !enrolling) await page.check('input[name="rememberBrowser"]');
      await submit();
    } else if (screen === '/u/mfa-email-challenge' || screen === '/u/mfa-sms-challenge') {
      const channel = screen === '/u/mfa-sms-challenge' ? 'sms' : 'email';
      const to = channel === 'email' ? options.email.trim().toLowerCase() : (await options.client.mfaEnrolments({ email: options.email })).find((e) => e.factor === 'sms')?.phone_number;
      if (!to) throw new Error(`No phone enrolled for ${options.email}`);
      const code = await options.client.waitForCode({ to, channel, timeoutMs: timeout });
      await page.fill('input[name="code"]', code);
      if (options.rememberBrowser) await page.check('input[name="rememberBrowser"]');
      await submit();
    } else if (screen === '/u/mfa-push-welcome') {
      await page.click('button[data-action-button-primary="true"]');
    } else if (screen === '/u/mfa-push-enrollment' || screen === '/u/mfa-push-challenge') {
      // The device answers through the dev API; the page posts by itself once it sees the answer.
      const enrolling = screen === '/u/mfa-push-enrollment';
      await page.waitForSelector('#push-form', { timeout });
      const push = (await options.client.mfaEnrolments({ email: options.email })).filter((e) => e.factor === 'push-notification' && e.confirmed !== enrolling).at(-1);
      if (!push) throw new Error(`No ${enrolling ? 'pending' : 'enrolled'} push device for ${options.email} in /_dev/api/mfa`);
      if (options.rememberBrowser && !enrolling) await page.check('input[name="rememberBrowser"]');
      if (!(await options.client.pushDevice(push.id, enrolling ? 'scan' : 'approve'))) throw new Error(`Nothing waited on the push device of ${options.email}`);
    } else if (screen === '/u/mfa-webauthn-enrollment' || screen === '/u/mfa-webauthn-challenge') {
      // The browser's WebAuthn ceremony: the page needs an authenticator (a CDP virtual one in tests).
      await page.click('button[data-webauthn-start]');
    } else if (screen === '/u/mfa-webauthn-change-key-nickname') {
      await submit();
    } else if (screen === '/u/mfa-recovery-code-enrollment' || screen === '/u/mfa-recovery-code-challenge-new-code') {
      await page.check('input[name="saved"]');
      await submit();
    } else {
      throw new Error(`passSecondFactor cannot pass ${screen}; choose a factor first`);
    }
    await page.waitForURL((next) => next.pathname !== screen, { timeout });
  }
  throw new Error('passSecondFactor went through six MFA screens without leaving them');
}
