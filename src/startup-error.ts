/**
 * The one error type of start-up: a configuration problem (the environment, the tenant file, a store
 * that cannot open, a snapshot). Lists every bad key path so one run shows all that needs fixing;
 * src/server.ts prints it and exits 2. It sits at the root so that config/ and store/ both use it
 * without the store depending on config.
 */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(source: string, problems: string[]) {
    super(`Invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** `/clients/1/callbacks` → `clients[1].callbacks`, the form users read in their YAML. */
export function formatPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  return out || '(root)';
}
