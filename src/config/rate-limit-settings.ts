import type { RateLimit, RateLimits } from '../tenant/model.js';
import { DEFAULT_RATE_LIMITS, RATE_LIMITS_OFF } from '../tenant/rate-limits.js';

export { DEFAULT_RATE_LIMITS, RATE_LIMITS_OFF };

/**
 * The tenant file's `rate_limits` (an Understudy key; Auth0 has no setting for it): Auth0's documented
 * public-tier limits by default (tenant/rate-limits.ts), each one tunable or switched off.
 *
 *   rate_limits:                 # `rate_limits: false` turns them all off
 *     passwordless_start: { max: 50, window_seconds: 3600 }   # per IP, and per recipient
 *     login_identifier: { max: 50, window_seconds: 3600 }     # per IP, and per recipient
 *     oauth_token: { max: 30, window_seconds: 1 }             # the whole tenant
 *     authorize: { max: 500, window_seconds: 60 }             # per IP
 *     userinfo: false                                         # this one off
 */
const KEYS: Record<string, keyof RateLimits> = {
  passwordless_start: 'passwordlessStart',
  login_identifier: 'loginIdentifier',
  oauth_token: 'oauthToken',
  userinfo: 'userinfo',
  authorize: 'authorize',
};

/**
 * Reads `rate_limits` from the tenant file (schema-free there, so each problem is named precisely
 * here). Unknown limit names are listed in `ignored`, like other unknown tenant keys.
 */
export function parseRateLimits(raw: unknown, problems: string[], ignored: string[]): RateLimits {
  if (raw === undefined || raw === null || raw === true) return { ...DEFAULT_RATE_LIMITS };
  if (raw === false) return { ...RATE_LIMITS_OFF };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push('rate_limits: must be false or an object of limits such as { oauth_token: { max: 30, window_seconds: 1 } }');
    return { ...DEFAULT_RATE_LIMITS };
  }
  const limits: RateLimits = { ...DEFAULT_RATE_LIMITS };
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const key = KEYS[name];
    if (!key) {
      ignored.push(`rate_limits.${name}`);
      continue;
    }
    const parsed = parseLimit(value, `rate_limits.${name}`, problems);
    if (parsed !== undefined) limits[key] = parsed;
  }
  return limits;
}

function parseLimit(value: unknown, path: string, problems: string[]): RateLimit | false | undefined {
  if (value === false) return false;
  if (value === true) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${path}: must be false or { max: <requests>, window_seconds: <seconds> }`);
    return undefined;
  }
  const { max, window_seconds: windowSeconds, ...rest } = value as Record<string, unknown>;
  let ok = true;
  for (const [field, n] of [['max', max], ['window_seconds', windowSeconds]] as const) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      problems.push(`${path}.${field}: must be a whole number of at least 1, got ${JSON.stringify(n) ?? 'nothing'}`);
      ok = false;
    }
  }
  for (const extra of Object.keys(rest)) problems.push(`${path}.${extra}: unknown; a limit has only max and window_seconds`);
  return ok && Object.keys(rest).length === 0 ? { max: max as number, windowSeconds: windowSeconds as number } : undefined;
}
