/**
 * The layers of src/, top to bottom (docs/architecture.md draws them). A module may import its own
 * layer and the layers below it, never one above: routes → http → the login surfaces → oauth → mfa → otp →
 * users and rbac → actions → dev → tenant → store → the kernel. `npm test` checks it
 * (test/build/layers.test.ts), and `npx depcruise src` prints any violation.
 */
const LAYERS = [
  { name: 'composition', path: '^src/(server|app)\\.ts$' },
  { name: 'start-up', path: '^src/(config|tls)/' },
  { name: 'routes', path: '^src/routes/' },
  { name: 'http', path: '^src/http/' },
  { name: 'surfaces', path: '^src/(login|passwordless|management|database)/' },
  { name: 'oauth', path: '^src/oauth/' },
  { name: 'mfa', path: '^src/mfa/' },
  { name: 'otp', path: '^src/otp/' },
  { name: 'users', path: '^src/(users|rbac|organizations)/' },
  { name: 'actions', path: '^src/actions/' },
  { name: 'dev', path: '^src/dev/' },
  { name: 'tenant', path: '^src/tenant/' },
  { name: 'store', path: '^src/store/' },
  { name: 'kernel', path: '^src/(clock|random|errors|startup-error)\\.ts$' },
];

const upward = LAYERS.flatMap((layer, i) =>
  LAYERS.slice(0, i).map((above) => ({
    name: `${layer.name}-not-to-${above.name}`,
    comment: `The ${layer.name} layer imports only its own layer and those below it, never ${above.name}.`,
    severity: 'error',
    from: { path: layer.path },
    to: { path: above.path },
  })),
);

/** Folders that share a layer but stand apart: a surface does not reach into another. */
const apart = [
  { from: '^src/login/', to: '^src/(passwordless|management|database)/' },
  { from: '^src/management/', to: '^src/(login|passwordless|database)/' },
  { from: '^src/database/', to: '^src/(login|passwordless|management)/' },
  { from: '^src/users/', to: '^src/rbac/' },
  { from: '^src/rbac/', to: '^src/users/' },
  { from: '^src/config/', to: '^src/tls/' },
].map(({ from, to }) => ({ name: `apart:${from}->${to}`, comment: 'Folders of one layer that do not import each other.', severity: 'error', from: { path: from }, to: { path: to } }));

module.exports = {
  forbidden: [
    ...upward,
    ...apart,
    { name: 'no-circular', comment: 'No module imports itself through others.', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'testing-is-public',
      comment: 'understudy/testing runs in users\' tests: it may use the store\'s record types and nothing else of the server.',
      severity: 'error',
      from: { path: '^src/testing/' },
      to: { path: '^src/(?!testing/|store/records\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
  },
};
