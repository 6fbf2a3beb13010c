import type { RateLimits } from './model.js';

/**
 * Auth0's documented public-tier rate limits, which a tenant gets unless its file's `rate_limits`
 * (config/rate-limit-settings.ts) tunes them. Sources for the defaults: Auth0's "Rate Limit Configurations" pages for the Free and Self Service
 * subscriptions (auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy/
 * rate-limit-configurations/free-public and /self-service-public), Authentication API table; see also
 * shared/research/auth0-protocol.md sections 0, 2.1 and 6.1. Auth0 states each limit as a burst and a
 * sustained rate (a token bucket); @fastify/rate-limit counts in fixed windows, so each default is
 * `max` = the burst in a window of burst ÷ rate, which keeps both the burst and the long-run rate.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  // "Get Passwordless Code or Link, /passwordless/start: burst 50, 50 per hour, from an IP address."
  // The per-recipient count (same figure) is Understudy's: it stops one address being flooded from many IPs.
  passwordlessStart: { max: 50, windowSeconds: 3600 },
  // Universal Login's identifier step sends the same code as /passwordless/start, so it gets the same limit.
  loginIdentifier: { max: 50, windowSeconds: 3600 },
  // "Get Token, /oauth/token: burst 30, 30 per second, any request" (tenant-wide, not per caller).
  oauthToken: { max: 30, windowSeconds: 1 },
  // "User Info, /userinfo: burst 10, 5 per minute, to a unique user ID": 10 per 120 s per user.
  userinfo: { max: 10, windowSeconds: 120 },
  // Auth0 publishes no /authorize figure; its Universal Login pages are limited to 500 a minute from one
  // IP address ("global" row of the Universal Login limits), and /authorize is where each of them starts.
  authorize: { max: 500, windowSeconds: 60 },
};

export const RATE_LIMITS_OFF: RateLimits = { passwordlessStart: false, loginIdentifier: false, oauthToken: false, userinfo: false, authorize: false };
