import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cruise, type ICruiseResult } from 'dependency-cruiser';

/**
 * The folders of src/ depend one way only, top to bottom (.dependency-cruiser.cjs lists the layers;
 * docs/architecture.md draws them). dependency-cruiser reads every import, type-only ones included.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: unknown[]; options: Record<string, unknown> };

async function violations(cwd: string, tsConfig?: string): Promise<string[]> {
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const { tsConfig: _ts, ...options } = config.options;
    const reported = await cruise(['src'], { ...options, ruleSet: { forbidden: config.forbidden } as never, validate: true, ...(tsConfig ? { tsConfig: { fileName: tsConfig } } : {}) });
    const output = reported.output as ICruiseResult;
    return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  } finally {
    process.chdir(previous);
  }
}

describe('the layers of src/', () => {
  it('no import goes up a layer or round a circle', async () => {
    expect(await violations(ROOT, 'tsconfig.json')).toEqual([]);
  }, 60_000);

  const fixture = mkdtempSync(join(tmpdir(), 'understudy-layers-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(fixture, path)), { recursive: true });
    writeFileSync(join(fixture, path), text);
  };

  it('the rules are live: a module that imports from a layer above it is reported', async () => {
    write('src/login/screens.js', 'export const screen = 1;\n');
    write('src/oauth/tokens.js', "import { screen } from '../login/screens.js';\nexport const token = screen;\n");
    write('src/store/records.js', "import { token } from '../oauth/tokens.js';\nexport const record = token;\n");
    expect(await violations(fixture)).toEqual(['oauth-not-to-surfaces: src/oauth/tokens.js → src/login/screens.js', 'store-not-to-oauth: src/store/records.js → src/oauth/tokens.js']);
  }, 60_000);
});
