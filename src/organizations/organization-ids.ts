import { randomAlphanumerics as alphanumerics, type Random } from '../random.js';

/** Organization ids as Auth0 makes them: `org_` and 16 letters or digits. */
const ID_LENGTH = 16;

export function randomOrganizationId(random: Random): string {
  return `org_${alphanumerics(random, ID_LENGTH)}`;
}

/** Invitation ids (`uinv_` and 16) and tickets (32 letters or digits), as Auth0's. */
export function randomInvitationId(random: Random): string {
  return `uinv_${alphanumerics(random, ID_LENGTH)}`;
}
export function randomInvitationTicket(random: Random): string {
  return alphanumerics(random, 32);
}

