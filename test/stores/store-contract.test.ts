import { describe } from 'vitest';
import { storeBackends } from './contract/backends.js';
import { useStore, type PortContract } from './contract/fixtures.js';
import { transactionsContract } from './contract/transactions.js';
import { otpContract } from './contract/otp.js';
import { authorizationCodesContract } from './contract/codes.js';
import { loginTicketsContract } from './contract/login-tickets.js';
import { usersContract } from './contract/users.js';
import { rolesContract } from './contract/roles.js';
import { organizationsContract } from './contract/organizations.js';
import { passkeysContract } from './contract/passkeys.js';
import { mfaEnrolmentsContract } from './contract/mfa-enrolments.js';
import { refreshTokensContract } from './contract/refresh-tokens.js';
import { sessionsContract } from './contract/sessions.js';
import { messagesContract } from './contract/messages.js';
import { lifecycleContract } from './contract/lifecycle.js';
import { ticketsContract } from './contract/tickets.js';

/** The store contract: one describe per port (src/store/types.ts), each run against every backend. */
const PORTS: PortContract[] = [
  transactionsContract,
  otpContract,
  ticketsContract,
  authorizationCodesContract,
  loginTicketsContract,
  usersContract,
  rolesContract,
  organizationsContract,
  passkeysContract,
  mfaEnrolmentsContract,
  refreshTokensContract,
  sessionsContract,
  messagesContract,
  lifecycleContract,
];

const backends = storeBackends();
for (const contract of PORTS) {
  describe(`Store contract: ${contract.concern} (${contract.port})`, () => {
    for (const backend of backends) describe(backend.name, () => contract.cases(useStore(backend)));
  });
}
