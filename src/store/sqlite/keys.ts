import type { PersistentKeys } from '../records.js';
import type { KeyStore } from '../types.js';
import { json, type SqliteContext } from './context.js';

/** The SQLite store's kept keys (table `settings`, row `keys`): the first keys offered stay. */
export function sqliteKeys({ statement, atomically }: SqliteContext): Required<KeyStore> {
  const getSetting = statement<{ value: string }>('SELECT value FROM settings WHERE name = ?');
  const addSetting = statement('INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)');

  const adoptKeys = atomically((offered: PersistentKeys): PersistentKeys => {
    addSetting.run('keys', json({ signingJwk: offered.signingJwk, masterSecret: offered.masterSecret.toString('base64url') }));
    const kept = JSON.parse(getSetting.get('keys')!.value) as { signingJwk: PersistentKeys['signingJwk']; masterSecret: string };
    return { signingJwk: kept.signingJwk, masterSecret: Buffer.from(kept.masterSecret, 'base64url') };
  });

  return {
    async adoptKeys(offered) {
      return adoptKeys(offered);
    },
  };
}
