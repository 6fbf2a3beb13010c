import type { Random } from '../random.js';

/** Organization ids as Auth0 makes them: `org_` and 16 letters or digits. */
const ID_LENGTH = 16;

export function randomOrganizationId(random: Random): string {
  let id = '';
  while (id.length < ID_LENGTH) id += random.token(24).replace(/[^A-Za-z0-9]/g, '');
  return `org_${id.slice(0, ID_LENGTH)}`;
}
