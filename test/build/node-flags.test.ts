import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * `npm start` and the image start Node with the same V8 flags (docs/performance.md, "Node flags"), and
 * the bench reads them from the start script: a flag changed in one place only would make the image,
 * `npm start` and the figures measure different servers.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const flagsOf = (words: string[]): string[] => words.filter((word) => word.startsWith('--'));

describe('Node flags', () => {
  it('are the same in the npm start script and in the Dockerfile CMD', () => {
    const start: string = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).scripts.start;
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(`${ROOT}Dockerfile`, 'utf8'))?.[1];
    expect(cmd, 'the Dockerfile has an exec-form CMD').toBeDefined();
    const startFlags = flagsOf(start.split(/\s+/));
    expect(startFlags).toEqual(expect.arrayContaining(['--max-semi-space-size=16', '--heap-growing-percent=50']));
    expect(flagsOf(JSON.parse(cmd!) as string[])).toEqual(startFlags);
  });
});
