import { normalizeEmail } from './normalize.js';
import type { Connection } from '../tenant/model.js';

/**
 * What a database login's identifier field holds: an email address, or, on a connection with
 * `requires_username`, the user's username ("Username or email address", Auth0's label). Auth0
 * usernames are 1 to 15 characters by default (options.validation.username), letters, digits and
 * `_ + - . ! # $ ^ ` ~ @ '` (docs/research/auth0-tenant-settings.md §4).
 */
const USERNAME = /^[A-Za-z0-9_+\-.!#$^`~@']+$/;

export type DatabaseIdentifier = { email: string } | { username: string };

export function databaseIdentifier(connection: Connection, input: string): DatabaseIdentifier | undefined {
  const email = normalizeEmail(input);
  if (email) return { email };
  const username = input.trim();
  return connection.username.required && isUsername(connection, username) ? { username } : undefined;
}

export function isUsername(connection: Connection, value: string): boolean {
  const { minLength, maxLength } = connection.username;
  return value.length >= minLength && value.length <= maxLength && USERNAME.test(value) && !normalizeEmail(value);
}

/** The store's index key of a username: its own namespace, so it never meets an email address. */
export const usernameKey = (username: string): string => `username|${username.toLowerCase()}`;

/** The key a user is looked up by: the email as it is, a username in its namespace. */
export const lookupKey = (identifier: DatabaseIdentifier): string => ('email' in identifier ? identifier.email : usernameKey(identifier.username));

/** What a transaction remembers and the screens show: the identifier as typed (a username keeps its case). */
export const shownIdentifier = (identifier: DatabaseIdentifier): string => ('email' in identifier ? identifier.email : identifier.username);
