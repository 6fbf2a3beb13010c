import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { createTickets, type Tickets } from '../../../src/oauth/sealed-tickets.js';
import { cryptoRandom } from '../../../src/random.js';
import { MINUTE, type PortContract, type StoreUnderTest } from './fixtures.js';

/**
 * Sealed tickets over each store's OtpStore: the password-reset and email-verification links and the
 * `auth_session` of /otp/challenge. Each opens while it lives, is spent once (one of two concurrent
 * uses wins) and expires with its lifetime, whichever backend keeps the record of its use.
 */
const SECRET = randomBytes(32);

function tickets(subject: StoreUnderTest, purpose = 'reset'): Tickets {
  return createTickets(purpose, { store: subject.store, clock: subject.clock, random: cryptoRandom, issuer: 'https://tenant.example/', masterSecret: SECRET });
}

export const ticketsContract: PortContract = {
  port: 'OtpStore',
  concern: 'sealed single-use tickets',
  cases(subject) {
    it('opens while valid, is spent once, and then reads as used', async () => {
      const reset = tickets(subject);
      const ticket = await reset.issue({ sub: 'auth0|abc' }, 300);
      const opened = await reset.open(ticket);
      expect(opened).toMatchObject({ ok: true, claims: { sub: 'auth0|abc' } });
      if (!opened.ok) return;
      expect(await reset.use(opened.id)).toBe(true);
      expect(await reset.use(opened.id)).toBe(false);
      expect(await reset.open(ticket)).toEqual({ ok: false, reason: 'used' });
    });

    it('lets exactly one of several concurrent uses win', async () => {
      const session = tickets(subject, 'otp-session');
      const opened = await session.open(await session.issue({ rcp: 'jane@example.com' }, 300));
      if (!opened.ok) throw new Error('the ticket did not open');
      const wins = await Promise.all(Array.from({ length: 5 }, () => session.use(opened.id)));
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('expires with its lifetime', async () => {
      const verify = tickets(subject, 'verify');
      const ticket = await verify.issue({ sub: 'auth0|abc' }, 120);
      subject.clock.advance(2 * MINUTE - 1000);
      expect(await verify.open(ticket)).toMatchObject({ ok: true });
      subject.clock.advance(2000);
      expect(await verify.open(ticket)).toEqual({ ok: false, reason: 'expired' });
    });

    it("one purpose's ticket does not open as another's, and a forged one opens as nothing", async () => {
      const reset = tickets(subject, 'reset');
      const ticket = await reset.issue({ sub: 'auth0|abc' }, 300);
      expect(await tickets(subject, 'verify').open(ticket)).toEqual({ ok: false, reason: 'invalid' });
      expect(await reset.open(`${ticket.slice(0, -4)}AAAA`)).toEqual({ ok: false, reason: 'invalid' });
      expect(await reset.open(undefined)).toEqual({ ok: false, reason: 'invalid' });
    });
  },
};
