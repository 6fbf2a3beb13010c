import { describe, expect, it } from 'vitest';
import { loadRuntimeConfig } from '../../src/config/runtime.js';
import { ConfigError } from '../../src/config/config-error.js';
import { chooseStore } from '../../src/config/store-setting.js';
import { describeStore } from '../../src/store/open-store.js';
import { runtimeProblems } from '../support/config-problems.js';

const problemsOf = runtimeProblems;

describe('UNDERSTUDY_STORE and --seed', () => {
  it('leaves the choice to the tenant file when unset (then memory), and reads memory', () => {
    expect(loadRuntimeConfig({}).store).toBeUndefined();
    expect(loadRuntimeConfig({ UNDERSTUDY_STORE: ' ' }).store).toBeUndefined();
    expect(chooseStore(undefined, undefined, '.understudy')).toEqual({ setting: { kind: 'memory' }, from: 'the default', overridesFile: false });
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

describe("the tenant file's store key", () => {
  const file = (store: unknown, path = '/srv/tenants/acme.yaml') => ({ raw: { tenant: { friendly_name: 'Acme' }, store }, path });
  const chosen = (store: unknown, env?: string) =>
    chooseStore(env === undefined ? undefined : loadRuntimeConfig({ UNDERSTUDY_STORE: env, UNDERSTUDY_DATA_DIR: '/data' }).store, file(store), '/data');
  const fileProblems = (store: unknown, env?: string): string[] => {
    try {
      chosen(store, env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toMatch(/^Invalid configuration in \/srv\/tenants\/acme\.yaml:/);
      return (err as ConfigError).problems;
    }
    throw new Error('expected a ConfigError, but the store key was accepted');
  };

  it('takes the same forms as UNDERSTUDY_STORE, a relative sqlite path from the tenant file\'s folder', () => {
    expect(chosen('memory')).toEqual({ setting: { kind: 'memory' }, from: 'the tenant file', overridesFile: false });
    expect(chosen('sqlite:').setting).toEqual({ kind: 'sqlite', path: '/data/understudy.db' });
    expect(chosen('sqlite:state/acme.db').setting).toEqual({ kind: 'sqlite', path: '/srv/tenants/state/acme.db' });
    expect(chosen('sqlite:./state/acme.db').setting).toEqual({ kind: 'sqlite', path: '/srv/tenants/state/acme.db' });
    expect(chosen('sqlite:../shared/acme.db').setting).toEqual({ kind: 'sqlite', path: '/srv/shared/acme.db' });
    expect(chosen('sqlite:/var/lib/acme.db').setting).toEqual({ kind: 'sqlite', path: '/var/lib/acme.db' });
    expect(chosen('sqlite:///var/lib/acme.db').setting).toEqual({ kind: 'sqlite', path: '/var/lib/acme.db' });
    expect(chosen('rediss://cache:6380/1').setting).toEqual({ kind: 'redis', url: 'rediss://cache:6380/1' });
    // A key without a value (YAML `store:`) is no choice.
    expect(chosen(null).from).toBe('the default');
  });

  it('yields to UNDERSTUDY_STORE, which keeps its own reading of relative paths', () => {
    expect(chosen('sqlite:state/acme.db', 'memory')).toEqual({ setting: { kind: 'memory' }, from: 'UNDERSTUDY_STORE', overridesFile: true });
    expect(chosen('memory', 'sqlite:env.db')).toEqual({ setting: { kind: 'sqlite', path: 'env.db' }, from: 'UNDERSTUDY_STORE', overridesFile: true });
    expect(chooseStore({ kind: 'memory' }, undefined, '/data')).toEqual({ setting: { kind: 'memory' }, from: 'UNDERSTUDY_STORE', overridesFile: false });
  });

  it.each<[unknown, RegExp]>([
    ['postgres://db/understudy', /^store: must be memory, sqlite:<path> .* or redis:\/\/host:port\/db, got "postgres:\/\/db\/understudy"$/],
    ['sqlite', /^store: must be memory/],
    [42, /^store: must be memory, .*, got 42$/],
    [{ kind: 'sqlite' }, /^store: must be memory, .*, got \{"kind":"sqlite"\}$/],
    ['redis://localhost:6379/zero', /^store: a Redis URL looks like redis:\/\/host:port\/db/],
  ])('refuses %j, naming store and the tenant file', (value, message) => {
    expect(fileProblems(value)).toEqual([expect.stringMatching(message)]);
  });

  it('is checked even when UNDERSTUDY_STORE overrides it, without repeating a Redis password', () => {
    expect(fileProblems('mongodb://db', 'memory')).toEqual([expect.stringMatching(/^store: must be memory/)]);
    expect(fileProblems('redis://:s3cret@localhost:6379/x')[0]).not.toContain('s3cret');
    expect(fileProblems('postgres://u:s3cret@db/x')[0]).not.toContain('s3cret');
  });
});
