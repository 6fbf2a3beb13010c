/**
 * /.well-known/openid-configuration with Auth0's field set. `end_session_endpoint` is published (Auth0
 * does so when RP-initiated logout discovery is on) because express-openid-connect and nextjs-auth0
 * use it on hosts that are not *.auth0.com. No `authorization_response_iss_parameter_supported`:
 * openid-client would then demand an `iss` on every callback, which Auth0 does not send. Endpoints
 * Understudy does not serve (device flow, MFA, dynamic registration) are left out rather than 404.
 */
export function discoveryDocument(issuer: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}authorize`,
    token_endpoint: `${issuer}oauth/token`,
    userinfo_endpoint: `${issuer}userinfo`,
    jwks_uri: `${issuer}.well-known/jwks.json`,
    // Auth0 publishes it; openid-client's tokenRevocation refuses to run without it.
    revocation_endpoint: `${issuer}oauth/revoke`,
    scopes_supported: [
      'openid', 'profile', 'offline_access', 'name', 'given_name', 'family_name', 'nickname', 'email', 'email_verified',
      'picture', 'created_at', 'identities', 'phone', 'address',
    ],
    response_types_supported: ['code', 'token', 'id_token', 'code token', 'code id_token', 'token id_token', 'code token id_token'],
    code_challenge_methods_supported: ['S256', 'plain'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    claims_supported: [
      'aud', 'auth_time', 'created_at', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'identities', 'iss',
      'name', 'nickname', 'phone_number', 'picture', 'sub',
    ],
    request_uri_parameter_supported: false,
    request_parameter_supported: false,
    end_session_endpoint: `${issuer}oidc/logout`,
  };
}
