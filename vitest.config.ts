import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Needs its own workspace (test/clients/nextjs-app): `npm run test:nextjs` installs it and runs it.
    exclude: [...configDefaults.exclude, 'test/clients/nextjs-auth0.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
