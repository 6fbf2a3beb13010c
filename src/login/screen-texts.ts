import type { Tenant } from '../tenant/model.js';

/**
 * The tenant's custom text on the screens Understudy renders, as Auth0's `prompts.customText`
 * (`<language>.<prompt>.<screen>.<key>`, e.g. `es.login-id.login-id.title`), in the language Auth0
 * would choose: the first of `ui_locales`, then of the browser's Accept-Language, that the tenant
 * enables (`tenant.enabled_locales`), a region falling back to its language (`es-MX` → `es`);
 * otherwise English, or the tenant's first language when it does not enable English.
 * Texts may use Auth0's `${clientName}` and `${companyName}` variables.
 */
const PROMPT_OF: Record<string, string> = {
  'login-id': 'login-id',
  login: 'login',
  'login-password': 'login-password',
  'login-passwordless-email-code': 'login-passwordless',
  'login-passwordless-sms-otp': 'login-passwordless',
  'mfa-begin-enroll-options': 'mfa',
  'mfa-login-options': 'mfa',
  'mfa-otp-enrollment-qr': 'mfa-otp',
  'mfa-otp-challenge': 'mfa-otp',
  'mfa-sms-enrollment': 'mfa-sms',
  'mfa-sms-challenge': 'mfa-sms',
  'mfa-email-challenge': 'mfa-email',
  'mfa-recovery-code-enrollment': 'mfa-recovery-code',
  'mfa-recovery-code-challenge': 'mfa-recovery-code',
  'mfa-recovery-code-challenge-new-code': 'mfa-recovery-code',
};

export function chooseLanguage(enabled: readonly string[], uiLocales: string | undefined, acceptLanguage: string | undefined): string {
  const available = enabled.map((l) => l.toLowerCase());
  const fallback = available.includes('en') ? 'en' : (available[0] ?? 'en');
  const wanted = [...(uiLocales ?? '').split(/\s+/), ...byQuality(acceptLanguage)].map((l) => l.trim().toLowerCase()).filter(Boolean);
  for (const tag of wanted) {
    if (available.includes(tag)) return enabled[available.indexOf(tag)]!;
    const primary = tag.split('-')[0]!;
    if (available.includes(primary)) return enabled[available.indexOf(primary)]!;
  }
  return available.length ? enabled[available.indexOf(fallback)] ?? fallback : fallback;
}

/** Accept-Language's tags, most wanted first (`q` weights; `*` and malformed entries dropped). */
function byQuality(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? '1');
      return { tag: tag?.trim() ?? '', q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((t) => /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(t.tag) && t.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((t) => t.tag);
}

/** `t(key, fallback)` for one screen: the tenant's text for the key in that language, with its variables filled in. */
export function screenTexts(tenant: Tenant, screen: string, language: string, vars: { clientName: string; companyName: string }): (key: string, fallback: string) => string {
  const prompt = PROMPT_OF[screen];
  const texts = prompt ? (tenant.customText[language]?.[prompt]?.[screen] ?? {}) : {};
  const fill = (text: string): string => text.replace(/\$\{(clientName|companyName)\}/g, (_all, name: 'clientName' | 'companyName') => vars[name]);
  return (key, fallback) => {
    const own = texts[key];
    return typeof own === 'string' ? fill(own) : fallback;
  };
}
