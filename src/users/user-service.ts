import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { User } from '../store/records.js';
import type { UserStore } from '../store/types.js';
import type { Connection, SeedUser, Tenant } from '../tenant/model.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { databaseIdentifier, lookupKey, usernameKey } from './identifiers.js';
import { E164 } from './normalize.js';

/**
 * Users as Auth0 creates them: `email|<24 hex>` / `sms|<24 hex>` on first passwordless login,
 * `auth0|…` for database users, `<strategy>|…` for social ones; the same identifier always maps to
 * the same user on a connection.
 */
export interface UserService {
  /** The user for this identifier, created on first use unless sign-up is off (then undefined). */
  passwordlessUser(connection: Connection, identifier: string, opts?: { mayCreate?: boolean }): Promise<User | undefined>;
  findPasswordlessUser(connection: Connection, identifier: string): Promise<User | undefined>;
  socialUser(connection: Connection, profile: { email: string; name?: string }): Promise<User>;
  /** The database user when the password is right; `identifier` is an email, or a username where the connection has them. */
  checkPassword(connection: Connection, identifier: string, password: string): Promise<User | undefined>;
  recordLogin(userId: string): Promise<User | undefined>;
  /** Management API create: undefined when the connection already has this identifier. */
  create(connection: Connection, fields: Partial<User> & { password?: string }): Promise<User | undefined>;
  /**
   * A database sign-up (/dbconnections/signup): the user with a password and an unverified email, or
   * undefined when the email or username is taken. The post-user-registration Actions hear of it.
   */
  register(connection: Connection, fields: Partial<User>, password: string): Promise<User | undefined>;
  /**
   * password_history: whether `password` is the user's current password or one of the `size` - 1
   * before it (Auth0: "You may not reuse any of the last N passwords").
   */
  reusesPassword(user: User, size: number, password: string): Promise<boolean>;
  /**
   * Management API update: metadata objects merge one level deep and `null` deletes a key, as Auth0.
   * A new password keeps the old one's hash in the user's password history.
   */
  update(userId: string, patch: Partial<User> & { password?: string }): Promise<User | undefined>;
  seed(tenant: Tenant): Promise<void>;
}

/** Auth0's largest password_history.size. */
const MAX_PASSWORD_HISTORY = 24;

export function createUserService(deps: {
  store: UserStore;
  clock: Clock;
  random: Random;
  /** Hears of each user a login signs up (passwordless, social): the tenant's post-user-registration Actions. */
  registered?: (user: User, connection: Connection) => void;
}): UserService {
  const { store, clock, random } = deps;
  const signedUp = (connection: Connection) => (user: User): User => {
    deps.registered?.(user, connection);
    return user;
  };
  const nowIso = (): string => new Date(clock.now()).toISOString();

  function build(connection: Connection, id: string, fields: Partial<User>): User {
    const provider = connection.kind === 'database' ? 'auth0' : connection.strategy;
    const now = nowIso();
    const rawId = id.includes('|') ? id.slice(id.indexOf('|') + 1) : id;
    const identifier = fields.email ?? fields.phone_number ?? '';
    const name = fields.name ?? identifier;
    return {
      user_id: `${provider}|${rawId}`,
      connection: connection.name,
      name,
      nickname: fields.nickname ?? (fields.email ? fields.email.split('@')[0] ?? name : name),
      picture: fields.picture ?? avatarUrl(fields.email ?? identifier, name),
      identities: [{ provider, connection: connection.name, user_id: rawId, isSocial: connection.kind === 'social' }],
      app_metadata: {},
      user_metadata: {},
      blocked: false,
      created_at: now,
      updated_at: now,
      logins_count: 0,
      ...fields,
    };
  }

  // An SMS connection's users, and a database connection's phone_otp ones (an E.164 number), by phone.
  const byPhone = (connection: Connection, identifier: string): boolean => connection.strategy === 'sms' || (connection.kind === 'database' && E164.test(identifier));
  const identityFields = (connection: Connection, identifier: string): Partial<User> =>
    byPhone(connection, identifier) ? { phone_number: identifier, phone_verified: true } : { email: identifier, email_verified: true };
  /** Further identifiers a database user is found by: the username, and the phone number (phone_otp). */
  const aliasesOf = (connection: Connection, fields: Partial<User>): string[] =>
    connection.kind === 'database' ? [...(fields.username ? [usernameKey(fields.username)] : []), ...(fields.phone_number ? [fields.phone_number] : [])] : [];

  return {
    findPasswordlessUser: (connection, identifier) => store.findUser(connection.name, identifier),

    async passwordlessUser(connection, identifier, opts = {}) {
      const existing = await store.findUser(connection.name, identifier);
      if (existing && connection.kind === 'database') {
        // A code proves the address or number it went to (Auth0: phone OTP sets phone_verified).
        const field = byPhone(connection, identifier) ? 'phone_verified' : 'email_verified';
        if (existing[field] !== true) return (await store.updateUser(existing.user_id, { [field]: true, updated_at: nowIso() })) ?? existing;
      }
      if (existing) return existing;
      if (connection.disableSignup || opts.mayCreate === false) return undefined;
      return store.insertUser(build(connection, random.hex(12), identityFields(connection, identifier)), identifier).then(signedUp(connection));
    },

    async socialUser(connection, profile) {
      const existing = await store.findUser(connection.name, profile.email);
      if (existing) return existing;
      // Social ids are stable per email so a demo user keeps the same `sub` across restarts.
      const digest = createHash('sha256').update(`${connection.name}:${profile.email}`).digest();
      const id = connection.strategy === 'google-oauth2' || connection.strategy === 'github'
        ? BigInt(`0x${digest.subarray(0, 8).toString('hex')}`).toString().padStart(21, '1').slice(0, 21)
        : digest.subarray(0, 12).toString('hex');
      const fields: Partial<User> = { email: profile.email, email_verified: true };
      if (profile.name) fields.name = profile.name;
      return store.insertUser(build(connection, id, fields), profile.email).then(signedUp(connection));
    },

    async checkPassword(connection, identifier, password) {
      const parsed = databaseIdentifier(connection, identifier);
      const user = parsed ? await store.findUser(connection.name, lookupKey(parsed)) : undefined;
      // Hash even for unknown users so response time does not reveal which emails exist.
      const ok = await verifyPassword(password, user?.password_hash ?? 'scrypt$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      return ok && user ? user : undefined;
    },

    async recordLogin(userId) {
      const user = await store.getUser(userId);
      if (!user) return undefined;
      const now = nowIso();
      return store.updateUser(userId, { last_login: now, updated_at: now, logins_count: user.logins_count + 1 });
    },

    async create(connection, fields) {
      const { password, user_id: requestedId, ...rest } = fields;
      const identifier = (connection.strategy === 'sms' ? rest.phone_number : rest.email ?? rest.phone_number) as string;
      if (await store.findUser(connection.name, identifier)) return undefined;
      const user = build(connection, requestedId ?? random.hex(12), {
        ...rest,
        ...(rest.phone_number !== undefined ? { phone_verified: rest.phone_verified ?? false } : {}),
        ...(rest.email !== undefined ? { email_verified: rest.email_verified ?? false } : {}),
        ...(password ? { password_hash: await hashPassword(password) } : {}),
      });
      const stored = await store.insertUser(user, identifier, aliasesOf(connection, rest));
      // Another create for the same identifier got in while the password was hashing: it exists.
      return stored.user_id === user.user_id ? stored : undefined;
    },

    async register(connection, fields, password) {
      const email = fields.email ?? '';
      const aliases = aliasesOf(connection, fields);
      for (const key of [email, ...aliases]) if (key && (await store.findUser(connection.name, key))) return undefined;
      const user = build(connection, random.hex(12), { ...fields, email_verified: false, password_hash: await hashPassword(password) });
      const stored = await store.insertUser(user, email, aliases);
      // Another sign-up for the same email got in first: the store kept that user.
      return stored.user_id === user.user_id ? signedUp(connection)(stored) : undefined;
    },

    async reusesPassword(user, size, password) {
      const earlier = [user.password_hash, ...(user.password_history ?? [])].filter((hash): hash is string => typeof hash === 'string').slice(0, size);
      for (const hash of earlier) if (await verifyPassword(password, hash)) return true;
      return false;
    },

    async update(userId, patch) {
      const user = await store.getUser(userId);
      if (!user) return undefined;
      const { password, app_metadata, user_metadata, ...rest } = patch;
      const next: Partial<User> = { ...rest, updated_at: nowIso() };
      if (app_metadata) next.app_metadata = mergeMetadata(user.app_metadata, app_metadata);
      if (user_metadata) next.user_metadata = mergeMetadata(user.user_metadata, user_metadata);
      if (password) {
        next.password_hash = await hashPassword(password);
        if (user.password_hash) next.password_history = [user.password_hash, ...(user.password_history ?? [])].slice(0, MAX_PASSWORD_HISTORY - 1);
      }
      return store.updateUser(userId, next);
    },

    async seed(tenant) {
      for (const seed of tenant.users) {
        const connection = tenant.connections.find((c) => c.name === seed.connection);
        if (!connection) continue;
        const identifier = (connection.strategy === 'sms' ? seed.phoneNumber : seed.email) as string;
        // Without an id in the file, derive one, so a seeded user keeps its user_id across resets and restarts.
        const id = seed.userId ?? createHash('sha256').update(`seed:${connection.name}:${identifier}`).digest('hex').slice(0, 24);
        const fields = await seededFields(connection, seed);
        await store.insertUser(build(connection, id, fields), identifier, aliasesOf(connection, fields));
      }
    },
  };
}

function mergeMetadata(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

async function seededFields(connection: Connection, seed: SeedUser): Promise<Partial<User>> {
  const fields: Partial<User> = { app_metadata: seed.appMetadata, user_metadata: seed.userMetadata, blocked: seed.blocked };
  if (seed.email) {
    fields.email = seed.email;
    fields.email_verified = seed.emailVerified ?? connection.kind !== 'database';
  }
  if (seed.phoneNumber) {
    fields.phone_number = seed.phoneNumber;
    fields.phone_verified = true;
  }
  if (seed.username) fields.username = seed.username;
  if (seed.name) fields.name = seed.name;
  if (seed.nickname) fields.nickname = seed.nickname;
  if (seed.givenName) fields.given_name = seed.givenName;
  if (seed.familyName) fields.family_name = seed.familyName;
  if (seed.picture) fields.picture = seed.picture;
  if (seed.password) fields.password_hash = await hashPassword(seed.password);
  return fields;
}

/** Auth0's default picture: Gravatar, falling back to an initials avatar on Auth0's CDN. */
function avatarUrl(identifier: string, name: string): string {
  const md5 = createHash('md5').update(identifier.trim().toLowerCase()).digest('hex');
  const initials = (name.replace(/[^a-zA-Z]/g, '').slice(0, 2) || 'us').toLowerCase();
  return `https://s.gravatar.com/avatar/${md5}?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2F${initials}.png`;
}
