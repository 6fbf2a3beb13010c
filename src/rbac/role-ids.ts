import { createHmac } from 'node:crypto';
import { randomAlphanumerics, type Random } from '../random.js';

/**
 * Role ids as Auth0 makes them: `rol_` and 16 letters or digits. A role of the tenant file gets one
 * derived from its name with a secret (the data folder's master secret, as client secrets are), so
 * it keeps its id on every start, after every reset and on every replica, and yet no one can tell
 * it from the name; a role created through the Management API gets a random one.
 */
const ID_LENGTH = 16;
const alphanumerics = (text: string): string => text.replace(/[^A-Za-z0-9]/g, '');

export function tenantRoleId(name: string, secretSeed: string): string {
  return `rol_${alphanumerics(createHmac('sha256', secretSeed).update(`role:${name}`).digest('base64')).slice(0, ID_LENGTH)}`;
}

export function randomRoleId(random: Random): string {
  return `rol_${randomAlphanumerics(random, ID_LENGTH)}`;
}
