import { describe, expect, it } from 'vitest';
import { loadRuntimeConfig } from '../../src/config/runtime.js';
import { ConfigError } from '../../src/config/config-error.js';
import { describeStore } from '../../src/store/open-store.js';

function problemsOf(env: NodeJS.ProcessEnv, argv: string[] = []): string[] {
  try {
    loadRuntimeConfig(env, argv);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

describe('UNDERSTUDY_STORE and --seed', () => {
  it('defaults to the memory store', () => {
    expect(loadRuntimeConfig({}).store).toEqual({ kind: 'memory' });
    expect(loadRuntimeConfig({ UNDERSTUDY_STORE: ' memory ' }).store).toEqual({ kind: 'memory' });
  });

  it('reads sqlite:<path>, and sqlite: alone as understudy.db in the data folder', () => {
    expect(loadRuntimeConfig({ UNDERSTUDY_STORE: 'sqlite:./data/demo.db' }).store).toEqual({ kind: 'sqlite', path: './data/demo.db' });
    expect(loadRuntimeConfig({ UNDERSTUDY_STORE: 'sqlite:/var/lib/understudy/u.db' }).store).toEqual({ kind: 'sqlite', path: '/var/lib/understudy/u.db' });
    expect(loadRuntimeConfig({ UNDERSTUDY_STORE: 'sqlite:///var/lib/u.db' }).store).toEqual({ kind: 'sqlite', path: '/var/lib/u.db' });
    expect(loadRuntimeConfig({ UNDERSTUDY_STORE: 'sqlite:', UNDERSTUDY_DATA_DIR: '/srv/us' }).store).toEqual({ kind: 'sqlite', path: '/srv/us/understudy.db' });
  });

  it('reads redis://host:port/db', () => {
    expect(loadRuntimeConfig({ UNDERSTUDY_STORE: 'redis://redis:6379/2' }).store).toEqual({ kind: 'redis', url: 'redis://redis:6379/2' });
    expect(loadRuntimeConfig({ UNDERSTUDY_STORE: 'redis://localhost' }).store).toEqual({ kind: 'redis', url: 'redis://localhost' });
  });

  it.each([
    ['postgres://db/understudy', /^UNDERSTUDY_STORE: must be memory, sqlite:<path> .* or redis:\/\/host:port\/db, got "postgres:\/\/db\/understudy"$/],
    ['sqlite', /^UNDERSTUDY_STORE: must be memory/],
    ['redis://localhost:6379/zero', /^UNDERSTUDY_STORE: a Redis URL looks like redis:\/\/host:port\/db/],
    ['redis://localhost:6379/0?prefix=x', /^UNDERSTUDY_STORE: a Redis URL looks like/],
  ])('refuses %s, naming UNDERSTUDY_STORE', (value, message) => {
    expect(problemsOf({ UNDERSTUDY_STORE: value })).toEqual([expect.stringMatching(message)]);
  });

  it('never repeats a Redis password, in a refusal or in the start-up banner', () => {
    expect(problemsOf({ UNDERSTUDY_STORE: 'redis://:s3cret@localhost:6379/x' })[0]).not.toContain('s3cret');
    expect(describeStore({ kind: 'redis', url: 'redis://user:s3cret@localhost:6379/0' })).toBe('redis redis://***@localhost:6379/0');
  });

  it('takes the snapshot to seed from --seed or UNDERSTUDY_SEED (the argument wins)', () => {
    expect(loadRuntimeConfig({}, ['--seed', 'snap.json']).seedPath).toBe('snap.json');
    expect(loadRuntimeConfig({}, ['--seed=other.json']).seedPath).toBe('other.json');
    expect(loadRuntimeConfig({ UNDERSTUDY_SEED: ' env.json ' }).seedPath).toBe('env.json');
    expect(loadRuntimeConfig({ UNDERSTUDY_SEED: 'env.json' }, ['--seed', 'arg.json']).seedPath).toBe('arg.json');
    expect(problemsOf({}, ['--seed'])).toEqual([expect.stringMatching(/^--seed: needs a snapshot file/)]);
  });
});
