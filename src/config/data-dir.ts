import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importPKCS8, exportPKCS8, type JWK } from 'jose';
import { ConfigError } from './config-error.js';

/**
 * The data folder keeps what must survive a restart: the token signing key (so the `kid` that apps
 * cached stays valid) and the master secret from which cookie, code and client-secret keys derive.
 */
import type { PersistentKeys } from '../store/records.js';
export type { PersistentKeys };

export async function loadPersistentKeys(dataDir: string, signingKeyOverride?: string): Promise<PersistentKeys> {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new ConfigError('UNDERSTUDY_DATA_DIR', [`cannot create the data folder "${dataDir}": ${(err as Error).message}`]);
  }
  const secretPath = join(dataDir, 'master-secret');
  let masterSecret: Buffer;
  if (existsSync(secretPath)) {
    masterSecret = Buffer.from(readFileSync(secretPath, 'utf8').trim(), 'base64url');
  } else {
    masterSecret = randomBytes(32);
    writeFileSync(secretPath, masterSecret.toString('base64url'), { mode: 0o600 });
  }

  if (signingKeyOverride) return { signingJwk: await parseSigningKey(signingKeyOverride), masterSecret };

  const keyPath = join(dataDir, 'signing-key.json');
  if (existsSync(keyPath)) {
    return { signingJwk: await parseSigningKey(readFileSync(keyPath, 'utf8')), masterSecret };
  }
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const signingJwk = await exportJWK(privateKey);
  writeFileSync(keyPath, JSON.stringify(signingJwk), { mode: 0o600 });
  return { signingJwk, masterSecret };
}

/** Accepts an RSA private key as a JWK (JSON) or a PKCS#8 PEM. */
async function parseSigningKey(text: string): Promise<JWK> {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as JWK;
      if (jwk.kty !== 'RSA' || !jwk.d) throw new Error('expected an RSA private key (kty "RSA" with "d")');
      return jwk;
    }
    const key = await importPKCS8(trimmed.replace(/\\n/g, '\n'), 'RS256', { extractable: true });
    // Round-trip so the stored form is always a JWK.
    return await exportJWK(await importPKCS8(await exportPKCS8(key), 'RS256', { extractable: true }));
  } catch (err) {
    throw new ConfigError('UNDERSTUDY_SIGNING_KEY', [`not a usable RS256 private key: ${(err as Error).message}`]);
  }
}
