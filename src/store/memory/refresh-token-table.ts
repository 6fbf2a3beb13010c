import type { RefreshToken } from '../records.js';

/**
 * The memory store's refresh tokens: a map by token hash with an index by family, so revoking a
 * family (reuse detection, a replayed code) deletes its tokens without looking at any other.
 * Every write goes through here, which keeps the index in step with the map.
 */
export class RefreshTokenTable {
  private readonly byHash = new Map<string, RefreshToken>();
  private readonly families = new Map<string, Set<string>>();

  get(tokenHash: string): RefreshToken | undefined {
    return this.byHash.get(tokenHash);
  }

  set(token: RefreshToken): void {
    const previous = this.byHash.get(token.tokenHash);
    if (previous && previous.familyId !== token.familyId) this.unindex(previous);
    this.byHash.set(token.tokenHash, token);
    let family = this.families.get(token.familyId);
    if (!family) this.families.set(token.familyId, (family = new Set()));
    family.add(token.tokenHash);
  }

  delete(tokenHash: string): void {
    const token = this.byHash.get(tokenHash);
    if (!token) return;
    this.byHash.delete(tokenHash);
    this.unindex(token);
  }

  deleteFamily(familyId: string): void {
    for (const tokenHash of this.families.get(familyId) ?? []) this.byHash.delete(tokenHash);
    this.families.delete(familyId);
  }

  deleteWhere(matches: (token: RefreshToken) => boolean): void {
    for (const [tokenHash, token] of this.byHash) if (matches(token)) this.delete(tokenHash);
  }

  clear(): void {
    this.byHash.clear();
    this.families.clear();
  }

  private unindex(token: RefreshToken): void {
    const family = this.families.get(token.familyId);
    family?.delete(token.tokenHash);
    if (family?.size === 0) this.families.delete(token.familyId);
  }
}
