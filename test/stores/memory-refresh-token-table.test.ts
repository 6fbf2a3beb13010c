import { describe, expect, it } from 'vitest';
import { RefreshTokenTable } from '../../src/store/memory/refresh-token-table.js';
import type { RefreshToken } from '../../src/store/records.js';

/** The memory store's family index stays in step with its tokens, whichever way a token leaves. */
describe('memory store: refresh tokens indexed by family', () => {
  const token = (tokenHash: string, familyId: string, userId = 'u1'): RefreshToken => ({
    tokenHash,
    familyId,
    clientId: 'c1',
    userId,
    scope: 'openid offline_access',
    audience: undefined,
    sessionId: undefined,
    createdAt: 0,
    rotatedAt: undefined,
    expiresAt: 10,
    idleExpiresAt: 10,
  });

  it('revokes a family without touching others, and a token deleted otherwise leaves its family too', () => {
    const table = new RefreshTokenTable();
    table.set(token('a1', 'fa'));
    table.set(token('a2', 'fa', 'u2'));
    table.set(token('b1', 'fb'));
    table.deleteWhere((t) => t.userId === 'u2');
    table.deleteFamily('fa');
    expect(table.get('a1')).toBeUndefined();
    expect(table.get('a2')).toBeUndefined();
    expect(table.get('b1')).toBeDefined();
    // A token saved again under another family is revoked with that family, not its old one.
    table.set(token('b1', 'fc'));
    table.deleteFamily('fb');
    expect(table.get('b1')).toBeDefined();
    table.deleteFamily('fc');
    expect(table.get('b1')).toBeUndefined();
  });
});
