/**
 * Errors of the Management API, in its own wire shape: `{statusCode, error, message, errorCode}`, with
 * a named constructor for each refusal it makes, so Auth0's wording and codes are written once. A few
 * of Auth0's refusals (an unknown role) carry no errorCode; theirs is undefined and left out.
 */
const reasons: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests',
};

export class ManagementError extends Error {
  readonly statusCode: number;
  readonly errorCode: string | undefined;
  /** Extra response headers, e.g. Retry-After while the store is away. */
  readonly headers: Record<string, string>;

  constructor(statusCode: number, message: string, errorCode: string | undefined, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ManagementError';
    this.statusCode = statusCode;
    this.errorCode = errorCode;
    this.headers = headers;
  }

  toJSON(): { statusCode: number; error: string; message: string; errorCode?: string } {
    const body = { statusCode: this.statusCode, error: reasons[this.statusCode] ?? 'Error', message: this.message };
    return this.errorCode === undefined ? body : { ...body, errorCode: this.errorCode };
  }
}

/** A body or query the API cannot take; Fastify's own refusals (413, 415) keep their status. */
export const badRequest = (message: string, statusCode = 400): ManagementError => new ManagementError(statusCode, message, 'invalid_body');
export const invalidQueryString = (message: string): ManagementError => new ManagementError(400, message, 'invalid_query_string');
export const missingAuthentication = (): ManagementError => new ManagementError(401, 'Missing authentication', 'missing_authentication');
/** A token that does not verify, or was issued for another audience. */
export const invalidManagementToken = (message: string): ManagementError => new ManagementError(401, message, 'invalid_token');
export const userNotFound = (): ManagementError => new ManagementError(404, 'The user does not exist.', 'inexistent_user');
/** Auth0 answers an unknown role without an errorCode. */
export const roleNotFound = (): ManagementError => new ManagementError(404, 'The role does not exist.', undefined);
/** A role name another role has (Auth0's wording here is not recorded anywhere; the status is its 409). */
export const roleExists = (name: string): ManagementError => new ManagementError(409, `A role with the name "${name}" already exists.`, 'conflict');
/** A permission or an id naming an API the tenant does not have. */
export const resourceServerNotFound = (identifier?: string): ManagementError =>
  new ManagementError(404, identifier === undefined ? 'The resource server does not exist' : `The resource server does not exist: '${identifier}'`, 'inexistent_resource_server');
/** A permission naming a scope its API does not define. */
export const permissionNotFound = (permission: string, identifier: string): ManagementError =>
  new ManagementError(400, `The permission "${permission}" is not defined on the resource server '${identifier}'`, 'invalid_body');
/**
 * A path parameter outside what the route takes, in Auth0's wording for one (its validator's texts:
 * `Path validation error: '<what>' on property <name>.`), errorCode invalid_uri.
 */
export const invalidPathParameter = (what: string, property: string): ManagementError =>
  new ManagementError(400, `Path validation error: '${what}' on property ${property}.`, 'invalid_uri');
/** A body the route's schema refuses, in Auth0's wording (`Payload validation error: '<what>'[ on property <name>].`). */
export const invalidPayload = (what: string, property?: string): ManagementError =>
  new ManagementError(400, `Payload validation error: '${what}'${property === undefined ? '' : ` on property ${property}`}.`, 'invalid_body');
/** An unknown Guardian enrollment (GOREC TestGuardian/Enrollment/Get.yaml, Delete.yaml). */
export const enrollmentNotFound = (): ManagementError => new ManagementError(404, 'Enrollment not found', 'enrollment_not_found');
export const authenticationMethodNotFound = (): ManagementError =>
  new ManagementError(404, 'The authentication method does not exist.', 'inexistent_authentication_method');
export const userExists = (): ManagementError => new ManagementError(409, 'The user already exists.', 'auth0_idp_error');
/** A new email or phone number that is already another user's login identifier. */
export const identifierTaken = (field: string): ManagementError => new ManagementError(400, `The specified new ${field} already exists`, 'auth0_idp_error');
/** The store cannot be reached: the client may try again in a second. */
export const managementUnavailable = (message: string): ManagementError => new ManagementError(503, message, 'temporarily_unavailable', { 'Retry-After': '1' });
/** Anything unexpected: the details stay in the log. */
export const internalError = (): ManagementError => new ManagementError(500, 'Internal error', 'internal_error');
/** An unknown organization: Auth0's recorded answer has no errorCode (docs/research/auth0-organizations.md §6.4). */
export const organizationNotFound = (): ManagementError => new ManagementError(404, 'No organization found by that id or name', undefined);
export const organizationExists = (): ManagementError => new ManagementError(409, 'An organization with the same name already exists.', 'organization_conflict');
/** A connection the organization has not enabled. */
export const organizationConnectionNotFound = (): ManagementError => new ManagementError(404, 'No connection found by that id', undefined);
export const invitationNotFound = (): ManagementError => new ManagementError(404, 'The invitation does not exist.', 'inexistent_invitation');
