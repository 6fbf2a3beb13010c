import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../http/app-deps.js';
import { PAGE, PAGE_FORM, type LoginReplies } from '../../http/login-reply.js';
import { PUSH_STATUS_PATH, screenPath, type MfaScreen } from '../../login/screens.js';
import * as Type from 'typebox';
import { queryWith } from '../../http/route-schemas.js';

const MFA_SCREENS: MfaScreen[] = [
  'mfa-enroll-options', 'mfa-login-options', 'mfa-otp-enrollment', 'mfa-otp-challenge', 'mfa-sms-enrollment', 'mfa-sms-challenge',
  'mfa-email-challenge', 'mfa-push-welcome', 'mfa-push-enrollment', 'mfa-push-challenge',
  'mfa-webauthn-enrollment', 'mfa-webauthn-nickname', 'mfa-webauthn-challenge', 'mfa-recovery-code-enrollment', 'mfa-recovery-code-challenge', 'mfa-recovery-code-new-code',
];

/**
 * The second factor's screens, each posting back to itself with Auth0's fields (ACUL): `code` and
 * `rememberBrowser=true`, `phone`, `saved=on`, or `action=<factor>` on the choice screens. The push
 * screens also poll PUSH_STATUS_PATH (`screen` says which) and post their form once the device answered.
 */
export function mfaRoutes(app: FastifyInstance, { login }: AppDeps, replies: LoginReplies): void {
  for (const screen of MFA_SCREENS) app.get(screenPath(screen), PAGE, (request, reply) => replies.show(request, reply, screen));

  const post = (screen: MfaScreen, handle: (form: Record<string, string | undefined>, visit: ReturnType<LoginReplies['visit']>) => ReturnType<typeof login.mfaOtp>): void => {
    app.post(screenPath(screen), PAGE_FORM, async (request, reply) => replies.send(reply, screen, await handle(replies.form(request), replies.visit(request))));
  };
  const codeForm = (form: Record<string, string | undefined>) => ({ code: form.code ?? '', rememberBrowser: form.rememberBrowser === 'true' || form.rememberBrowser === 'on' });

  post('mfa-otp-enrollment', (form, visit) => login.mfaOtp('mfa-otp-enrollment', visit, codeForm(form)));
  post('mfa-otp-challenge', (form, visit) => login.mfaOtp('mfa-otp-challenge', visit, codeForm(form)));
  for (const screen of ['mfa-sms-challenge', 'mfa-email-challenge'] as const) {
    post(screen, (form, visit) => login.mfaOob(screen, visit, { ...codeForm(form), resend: form.action === 'resend-code' || form.action === 'resend' }));
  }
  post('mfa-sms-enrollment', (form, visit) => login.mfaPhone(visit, form.phone ?? ''));
  post('mfa-recovery-code-challenge', (form, visit) => login.mfaRecoveryCode(visit, form.code ?? ''));
  for (const screen of ['mfa-recovery-code-enrollment', 'mfa-recovery-code-new-code'] as const) {
    post(screen, (form, visit) => login.mfaRecorded(screen, visit, form.saved === 'on' || form.saved === 'true'));
  }
  post('mfa-push-welcome', (_form, visit) => login.mfaPushBegin(visit));
  for (const screen of ['mfa-push-enrollment', 'mfa-push-challenge'] as const) {
    post(screen, (form, visit) => login.mfaPush(screen, visit, { ...codeForm(form), resend: form.action === 'resend' }));
  }
  for (const screen of ['mfa-webauthn-enrollment', 'mfa-webauthn-nickname', 'mfa-webauthn-challenge'] as const) {
    post(screen, (form, visit) => login.mfaWebAuthn(screen, visit, { passkey: form.passkey, nickname: form.nickname, rememberBrowser: codeForm(form).rememberBrowser }));
  }
  app.get(PUSH_STATUS_PATH, { schema: { querystring: PushStatusQuery, response: { 200: PushStatusReply } } }, async (request, reply) => {
    const { screen } = request.query as { screen?: string };
    const status = await login.mfaPushStatus(screen === 'enrollment' ? 'mfa-push-enrollment' : 'mfa-push-challenge', replies.visit(request));
    return reply.header('Cache-Control', 'no-store').send({ status });
  });
  for (const screen of ['mfa-login-options', 'mfa-enroll-options'] as const) post(screen, (form, visit) => login.mfaChoose(screen, visit, form.action));
}

const PushStatusQuery = queryWith(['state', 'screen']);
const PushStatusReply = Type.Object({ status: Type.String() });
