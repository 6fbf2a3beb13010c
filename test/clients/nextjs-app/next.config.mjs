import { fileURLToPath } from 'node:url';

// This folder is its own project inside Understudy's repository: build from here, not the repository root.
const root = fileURLToPath(new URL('.', import.meta.url));

export default {
  turbopack: { root },
  outputFileTracingRoot: root,
};
