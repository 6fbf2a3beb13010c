import { defineConfig } from 'vitest/config';

/**
 * `npm run test:nextjs` (scripts/test-nextjs.sh): the nextjs-auth0 conformance test, which needs its own
 * workspace (test/clients/nextjs-app) installed. `npm test` (vitest.config.ts) leaves it out.
 */
export default defineConfig({
  test: {
    include: ['test/clients/nextjs-auth0.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
