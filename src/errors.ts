/**
 * The one error type of the Authentication API. Every protocol failure is thrown as an OAuthError and
 * turned into a response in exactly one place (src/http/error-handler.ts): JSON for API routes, the
 * error page for browser routes, or a redirect back to the client once its redirect_uri is verified.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unauthorized'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'not_found'
  | 'too_many_requests'
  | 'server_error'
  // The store (Redis) cannot be reached: try again shortly.
  | 'temporarily_unavailable'
  // Auth0's /passwordless/start codes.
  | 'bad.client_id'
  | 'bad.connection'
  | 'bad.email'
  | 'bad.phone_number'
  | 'bad.authParams'
  | 'bad.send'
  | 'bad.request'
  | 'signup_disabled'
  | 'sms_provider_error'
  | 'email_provider_error';

const defaultStatus: Partial<Record<OAuthErrorCode, number>> = {
  invalid_client: 401,
  invalid_token: 401,
  unauthorized: 401,
  insufficient_scope: 403,
  unauthorized_client: 403,
  access_denied: 403,
  not_found: 404,
  too_many_requests: 429,
  server_error: 500,
  temporarily_unavailable: 503,
  unsupported_response_type: 400,
};

/** Where an /authorize error may be sent: only set once the client and its redirect_uri are verified. */
export interface ErrorRedirect {
  redirectUri: string;
  responseMode: 'query' | 'fragment' | 'form_post' | 'web_message';
  state?: string | undefined;
}

export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: number;
  /** Extra response headers, e.g. WWW-Authenticate for invalid_token. */
  readonly headers: Record<string, string>;
  redirect: ErrorRedirect | undefined;

  constructor(
    error: OAuthErrorCode,
    description: string,
    options: { status?: number; headers?: Record<string, string>; redirect?: ErrorRedirect; cause?: unknown } = {},
  ) {
    super(description, { cause: options.cause });
    this.name = 'OAuthError';
    this.error = error;
    this.status = options.status ?? defaultStatus[error] ?? 400;
    this.headers = options.headers ?? {};
    this.redirect = options.redirect;
  }

  get description(): string {
    return this.message;
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.message };
  }
}

export const invalidRequest = (description: string): OAuthError => new OAuthError('invalid_request', description);
export const invalidGrant = (description: string): OAuthError => new OAuthError('invalid_grant', description, { status: 403 });
