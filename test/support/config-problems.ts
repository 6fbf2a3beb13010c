import { expect } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadRuntimeConfig } from '../../src/config/runtime.js';

/** The problems the ConfigError thrown by `load` names; fails the test when `load` accepts its input. */
export function configProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

/** The problems a bad environment or command line produces. */
export const runtimeProblems = (env: NodeJS.ProcessEnv, argv: string[] = []): string[] => configProblems(() => loadRuntimeConfig(env, argv));
