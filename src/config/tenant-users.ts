import type { TenantFile } from './tenant-schema.js';
import { checkUnique } from './tenant-clients.js';
import { normalizeEmail, normalizePhoneNumber } from '../users/normalize.js';
import { isUsername } from '../users/identifiers.js';
import type { Connection, SeedUser } from '../tenant/model.js';

type UserEntry = NonNullable<TenantFile['users']>[number];

/**
 * The seed users of the tenant file or overlay (exports carry none): each on a connection of the
 * tenant, with the identifier that connection logs in with. These are the file's own keys, so a
 * mistake stops start-up naming it.
 */
export function buildUsers(entries: UserEntry[], connections: Connection[], problems: string[]): SeedUser[] {
  const users = entries.map((entry, i): SeedUser => {
    const connection = connections.find((c) => c.name === entry.connection);
    if (!connection) problems.push(`users[${i}].connection: no connection named "${entry.connection}"`);
    let email = entry.email;
    let phoneNumber = entry.phone_number;
    if (email !== undefined) {
      email = normalizeEmail(email);
      if (!email) problems.push(`users[${i}].email: "${entry.email}" is not an email address`);
    }
    if (phoneNumber !== undefined) {
      phoneNumber = normalizePhoneNumber(phoneNumber);
      if (!phoneNumber) problems.push(`users[${i}].phone_number: "${entry.phone_number}" is not an E.164 phone number`);
    }
    if (connection?.strategy === 'sms' && !entry.phone_number) problems.push(`users[${i}].phone_number: required for an sms user`);
    if (connection && connection.strategy !== 'sms' && !entry.email) problems.push(`users[${i}].email: required for a ${connection.strategy} user`);
    if (connection?.kind === 'database' && !entry.password) problems.push(`users[${i}].password: required for a database user`);
    if (connection) checkUsername(entry, i, connection, problems);
    return {
      connection: entry.connection,
      userId: entry.user_id,
      email: email || undefined,
      username: entry.username,
      phoneNumber: phoneNumber || undefined,
      name: entry.name,
      nickname: entry.nickname,
      givenName: entry.given_name,
      familyName: entry.family_name,
      picture: entry.picture,
      password: entry.password,
      emailVerified: entry.email_verified,
      appMetadata: entry.app_metadata ?? {},
      userMetadata: entry.user_metadata ?? {},
      blocked: entry.blocked ?? false,
      roles: [...new Set(entry.roles ?? [])],
    };
  });
  checkUnique(
    users.map((u) => `${u.connection}:${u.phoneNumber && !u.email ? u.phoneNumber : (u.email ?? u.phoneNumber ?? '')}`),
    (i) => `users[${i}]`,
    problems,
  );
  checkUnique(
    users.map((u, i) => (u.username ? `${u.connection}:${u.username.toLowerCase()}` : `\u0000${i}`)),
    (i) => `users[${i}].username`,
    problems,
  );
  return users;
}

/** Auth0 takes a username only on a connection with requires_username, and asks for one there. */
function checkUsername(entry: UserEntry, i: number, connection: Connection, problems: string[]): void {
  const { required, minLength, maxLength } = connection.username;
  if (entry.username === undefined) {
    if (required) problems.push(`users[${i}].username: required, since the connection "${connection.name}" has requires_username: true`);
    return;
  }
  if (!required) {
    problems.push(`users[${i}].username: the connection "${connection.name}" does not use usernames; set options.requires_username: true on it, or leave the username out`);
    return;
  }
  if (!isUsername(connection, entry.username)) {
    problems.push(
      `users[${i}].username: "${entry.username}" is not a username the connection "${connection.name}" accepts: ${minLength} to ${maxLength} letters, digits or _+-.!#$^\`~@', and not an email address`,
    );
  }
}
