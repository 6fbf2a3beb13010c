import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { ConfigError } from '../startup-error.js';
import type { PersistentKeys } from '../store/records.js';
import type { Tenant } from '../tenant/model.js';
import type { MfaEnrolment, Passkey, Session, User } from '../store/records.js';
import type { MfaEnrolmentStore, OrganizationStore, PasskeyStore, RoleStore, SessionStore, UserStore } from '../store/types.js';
import { checkSnapshotOrganizations, exportOrganizations, importOrganizations, type SnapshotOrganization } from './snapshot-organizations.js';
import { checkSnapshotRoles, exportRoles, importRoles, type SnapshotRoles } from './snapshot-roles.js';

/**
 * A snapshot: the users of a tenant (with their passkeys, second-factor enrolments and password hashes,
 * so database users keep their passwords and factors, and their roles and permissions), its
 * organizations with their members, and on request its live sessions and its keys. `GET /_dev/api/snapshot` writes
 * one; `--seed <file>` / UNDERSTUDY_SEED loads one at start (and again on /_dev/api/reset), so a
 * demo environment can be rebuilt with the same users and the same `sub`s. With `keys`, it signs with
 * the same key (same `kid`) and derives the same cookie and client-secret keys too.
 */
export const SNAPSHOT_FORMAT = 'understudy-snapshot';
export const SNAPSHOT_VERSION = 1;

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  exported_at: string;
  users: User[];
  passkeys: Passkey[];
  /** Second-factor enrolments (authenticator apps' secrets, phone numbers, recovery codes); older snapshots have none. */
  mfa_enrolments?: MfaEnrolment[];
  /** RBAC roles, assignments and direct permissions (./snapshot-roles.ts); older snapshots have none. */
  roles?: SnapshotRoles;
  /** Organizations with their members and member roles (./snapshot-organizations.ts); older snapshots have none. */
  organizations?: SnapshotOrganization[];
  sessions?: Session[];
  /** The signing key (private JWK) and the master secret (base64url): treat the file as a secret. */
  keys?: { signing_jwk: JWK; master_secret: string };
}

export type SnapshotPart = 'sessions' | 'keys';

/** The stores a snapshot reads and fills. */
type SnapshotStores = UserStore & PasskeyStore & MfaEnrolmentStore & SessionStore & RoleStore & OrganizationStore;

export async function exportSnapshot(store: SnapshotStores, include: SnapshotPart[], keys: PersistentKeys, now: number): Promise<Snapshot> {
  const snapshot: Snapshot = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    exported_at: new Date(now).toISOString(),
    users: await store.listUsers(),
    passkeys: await store.listPasskeys(),
    mfa_enrolments: await store.listEnrolments(),
    roles: await exportRoles(store),
    organizations: await exportOrganizations(store),
  };
  if (include.includes('sessions')) snapshot.sessions = await store.listSessions();
  if (include.includes('keys')) snapshot.keys = { signing_jwk: keys.signingJwk, master_secret: keys.masterSecret.toString('base64url') };
  return snapshot;
}

/** The keys a snapshot carries, in the form the data folder gives them. */
export function snapshotKeys(snapshot: Snapshot): PersistentKeys | undefined {
  return snapshot.keys ? { signingJwk: snapshot.keys.signing_jwk, masterSecret: Buffer.from(snapshot.keys.master_secret, 'base64url') } : undefined;
}

/**
 * Adds the snapshot's users (under the identifier their connection logs them in with), passkeys,
 * sessions, roles and permissions. Users already there (same connection and identifier) are kept as they are, so loading the
 * same snapshot at every start of a persistent store changes nothing.
 */
export async function importSnapshot(store: SnapshotStores, snapshot: Snapshot, tenant: Tenant): Promise<{ users: number; skipped: string[] }> {
  const skipped: string[] = [];
  let users = 0;
  for (const user of snapshot.users) {
    const connection = tenant.connections.find((c) => c.name === user.connection);
    const identifier = connection?.strategy === 'sms' ? user.phone_number : (user.email ?? user.phone_number);
    if (!identifier) {
      skipped.push(user.user_id);
      continue;
    }
    await store.insertUser(user, identifier);
    users++;
  }
  for (const passkey of snapshot.passkeys) await store.savePasskey(passkey);
  for (const enrolment of snapshot.mfa_enrolments ?? []) await store.saveEnrolment(enrolment);
  for (const session of snapshot.sessions ?? []) await store.createSession(session);
  if (snapshot.roles) await importRoles(store, snapshot.roles, tenant);
  if (snapshot.organizations) await importOrganizations(store, snapshot.organizations, snapshot.roles);
  return { users, skipped };
}

/** Reads and checks a snapshot file; anything wrong stops start-up naming the setting and the problem. */
export function readSnapshot(path: string, setting = '--seed / UNDERSTUDY_SEED'): Snapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(setting, [`cannot read the snapshot ${path}: ${(err as Error).message}`]);
  }
  const problems = checkSnapshot(parsed);
  if (problems.length) throw new ConfigError(`${setting} (${path})`, problems);
  return parsed as Snapshot;
}

function checkSnapshot(value: unknown): string[] {
  if (!isObject(value)) return ['not a snapshot: expected a JSON object as GET /_dev/api/snapshot writes it'];
  const problems: string[] = [];
  if (value.format !== SNAPSHOT_FORMAT) problems.push(`format: must be "${SNAPSHOT_FORMAT}"`);
  if (value.version !== SNAPSHOT_VERSION) problems.push(`version: this Understudy reads version ${SNAPSHOT_VERSION}, got ${JSON.stringify(value.version)}`);
  if (!Array.isArray(value.users)) problems.push('users: must be an array');
  else {
    value.users.forEach((user, i) => {
      if (!isObject(user) || typeof user.user_id !== 'string' || typeof user.connection !== 'string') problems.push(`users[${i}]: needs user_id and connection`);
    });
  }
  if (value.passkeys === undefined) value.passkeys = [];
  else if (!Array.isArray(value.passkeys)) problems.push('passkeys: must be an array');
  if (value.sessions !== undefined && !Array.isArray(value.sessions)) problems.push('sessions: must be an array');
  if (value.mfa_enrolments !== undefined && !Array.isArray(value.mfa_enrolments)) problems.push('mfa_enrolments: must be an array');
  if (value.roles !== undefined) problems.push(...checkSnapshotRoles(value.roles));
  if (value.organizations !== undefined) problems.push(...checkSnapshotOrganizations(value.organizations));
  if (value.keys !== undefined) {
    if (!isObject(value.keys) || !isObject(value.keys.signing_jwk) || typeof value.keys.master_secret !== 'string') {
      problems.push('keys: needs signing_jwk (an RSA private JWK) and master_secret');
    } else if (value.keys.signing_jwk.kty !== 'RSA' || typeof value.keys.signing_jwk.d !== 'string') {
      problems.push('keys.signing_jwk: expected an RSA private key (kty "RSA" with "d")');
    }
  }
  return problems;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
