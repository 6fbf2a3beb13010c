import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { storeContract } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'understudy-sqlite-contract-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A fresh database file per test: every case starts from an empty store, as with the memory store.
storeContract('sqlite', (clock) => openSqliteStore(join(dir, `contract-${++n}.db`), clock));
