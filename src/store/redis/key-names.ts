/**
 * The Redis store's key names, all under one prefix so that replicas of one tenant share them and
 * tests can keep stores apart. Records live under `d:` (data: what reset deletes), the shared test
 * controls under `c:`, and the kept signing keys beside them.
 */
export function redisKeyNames(prefix: string) {
  return {
    /** Everything reset deletes. */
    dataPattern: `${prefix}d:*`,
    txn: (id: string) => `${prefix}d:txn:${id}`,
    otp: (key: string) => `${prefix}d:otp:${key}`,
    code: (code: string) => `${prefix}d:code:${code}`,
    loginTicket: (id: string) => `${prefix}d:lt:${id}`,
    userPrefix: `${prefix}d:user:`,
    user: (id: string) => `${prefix}d:user:${id}`,
    indexPrefix: `${prefix}d:uidx:`,
    index: (connection: string, identifier: string) => `${prefix}d:uidx:${connection}\u0000${identifier}`,
    userIndexes: (id: string) => `${prefix}d:uidxs:${id}`,
    users: `${prefix}d:users`,
    seq: `${prefix}d:seq`,
    sessionPrefix: `${prefix}d:sess:`,
    session: (id: string) => `${prefix}d:sess:${id}`,
    userSessionsPrefix: `${prefix}d:usess:`,
    userSessions: (id: string) => `${prefix}d:usess:${id}`,
    tokenPrefix: `${prefix}d:rt:`,
    token: (hash: string) => `${prefix}d:rt:${hash}`,
    family: (id: string) => `${prefix}d:rtfam:${id}`,
    userTokens: (id: string) => `${prefix}d:urts:${id}`,
    passkeyPrefix: `${prefix}d:pk:`,
    passkey: (id: string) => `${prefix}d:pk:${id}`,
    passkeys: `${prefix}d:pks`,
    userPasskeysPrefix: `${prefix}d:upks:`,
    userPasskeys: (id: string) => `${prefix}d:upks:${id}`,
    mfaEnrolmentPrefix: `${prefix}d:mfa:`,
    mfaEnrolment: (id: string) => `${prefix}d:mfa:${id}`,
    mfaEnrolments: `${prefix}d:mfas`,
    userMfaEnrolmentsPrefix: `${prefix}d:umfas:`,
    userMfaEnrolments: (id: string) => `${prefix}d:umfas:${id}`,
    /** When the user's remembered browsers were last revoked (ms, a string). */
    mfaRememberRevoked: (id: string) => `${prefix}d:mfarev:${id}`,
    rolePrefix: `${prefix}d:role:`,
    role: (id: string) => `${prefix}d:role:${id}`,
    roles: `${prefix}d:roles`,
    roleNamePrefix: `${prefix}d:rolename:`,
    roleName: (name: string) => `${prefix}d:rolename:${name}`,
    rolePermissions: (id: string) => `${prefix}d:roleperms:${id}`,
    roleUsersPrefix: `${prefix}d:roleusers:`,
    roleUsers: (id: string) => `${prefix}d:roleusers:${id}`,
    userRolesPrefix: `${prefix}d:uroles:`,
    userRoles: (id: string) => `${prefix}d:uroles:${id}`,
    userPermissions: (id: string) => `${prefix}d:uperms:${id}`,
    organization: (id: string) => `${prefix}d:org:${id}`,
    organizationNamePrefix: `${prefix}d:orgname:`,
    organizationName: (name: string) => `${prefix}d:orgname:${name}`,
    organizations: `${prefix}d:orgs`,
    organizationMembers: (id: string) => `${prefix}d:orgmembers:${id}`,
    /** Users holding roles in the organization, members or not yet: deleting it finds their role sets. */
    organizationRoleHolders: (id: string) => `${prefix}d:orgholders:${id}`,
    userOrganizationsPrefix: `${prefix}d:uorgs:`,
    userOrganizations: (id: string) => `${prefix}d:uorgs:${id}`,
    invitation: (ticketId: string) => `${prefix}d:oinv:${ticketId}`,
    organizationInvitations: (id: string) => `${prefix}d:oinvs:${id}`,
    organizationMemberRolesPrefix: `${prefix}d:orgroles:`,
    organizationMemberRoles: (organizationId: string, userId: string) => `${prefix}d:orgroles:${organizationId}\u0000${userId}`,
    messageList: `${prefix}d:msgs`,
    messages: `${prefix}d:msg`,
    /** The pub/sub channel of message arrivals. */
    messageChannel: `${prefix}messages`,
    clock: `${prefix}c:clock`,
    fixedCleared: `${prefix}c:fixed:cleared`,
    fixedAdded: `${prefix}c:fixed:added`,
    faults: `${prefix}c:faults`,
    keys: `${prefix}keys`,
  };
}

export type RedisKeyNames = ReturnType<typeof redisKeyNames>;
