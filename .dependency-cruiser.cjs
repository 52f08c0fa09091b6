// The direction of dependencies between the packages, checked by `npm test` (scripts/check-dependencies.ts).
//
//   @opentab/protocol (protocol/core)      runs in browsers and Node: no Node module, no other package
//   @opentab/server-kit (protocol/server)  Node only: the protocol core and Node, never a role
//   @opentab/console-ui (protocol/console-ui)  browser only: what the operator console and the merchant
//     dashboard share, never a role
//   roles (operator-server, merchant-widget/agent, merchant-widget/widget, extension) never import one
//     another; the demo shop, e2e, bench and chaos are the places that put roles together
//   tests (*.test.ts(x), testing/ folders, operator-server/test/, test-kit/): product code never imports
//     them, and a role's or the protocol's tests reach other packages only through @opentab/test-kit
//   an import that leaves a package names the package (and so goes through its package.json "exports")

const PACKAGE_DIRS = [
  'protocol/core',
  'protocol/server',
  'protocol/console-ui',
  'test-kit',
  'operator-server',
  'merchant-widget/agent',
  'merchant-widget/widget',
  'merchant-widget/demo-shop',
  'extension',
  'e2e',
  'bench',
  'chaos',
];
const ROLES = ['operator-server', 'merchant-widget/agent', 'merchant-widget/widget', 'extension'];
const BROWSER = [
  'protocol/core',
  'protocol/console-ui',
  'merchant-widget/widget',
  'extension',
  'operator-server/console',
  'merchant-widget/agent/dashboard',
];
const COMPOSERS = ['merchant-widget/demo-shop', 'e2e', 'bench', 'chaos'];

const under = (dirs) => `^(${dirs.join('|')})/`;
const TESTS = '(\\.test\\.tsx?$|/testing/|^operator-server/test/|^test-kit/)';
const BUILD_TOOLS =
  '^(extension|merchant-widget/widget|operator-server/console|merchant-widget/agent/dashboard)/build/';

module.exports = {
  forbidden: [
    {
      name: 'browser-code-imports-no-node',
      comment: 'The protocol core, the widget and the extension run in browsers: no Node module, not the server kit.',
      severity: 'error',
      from: { path: under(BROWSER), pathNot: [TESTS, BUILD_TOOLS] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'browser-code-imports-no-server-kit',
      severity: 'error',
      from: { path: under(BROWSER), pathNot: BUILD_TOOLS },
      to: { path: '^protocol/server/' },
    },
    {
      name: 'core-imports-no-other-package',
      comment: 'Every package may use the protocol core; the core itself stands alone.',
      severity: 'error',
      from: { path: '^protocol/core/', pathNot: TESTS },
      to: { path: under(PACKAGE_DIRS), pathNot: '^protocol/core/' },
    },
    {
      name: 'server-kit-is-below-the-roles',
      severity: 'error',
      from: { path: '^protocol/server/', pathNot: TESTS },
      to: { path: under(PACKAGE_DIRS), pathNot: '^protocol/(core|server)/' },
    },
    {
      name: 'console-ui-is-below-the-roles',
      severity: 'error',
      from: { path: '^protocol/console-ui/', pathNot: TESTS },
      to: { path: under(PACKAGE_DIRS), pathNot: '^protocol/(core|console-ui)/' },
    },
    ...ROLES.map((role) => ({
      name: `roles-are-independent:${role}`,
      comment:
        'A role never imports another role, in its code or its tests; what roles share is in the protocol or the server kit.',
      severity: 'error',
      from: { path: `^${role}/` },
      to: { path: under(ROLES.filter((other) => other !== role)) },
    })),
    {
      name: 'only-composers-put-roles-together',
      comment: 'The protocol, the server kit and the roles never import the demo shop, e2e, bench or chaos.',
      severity: 'error',
      from: { path: under(['protocol/core', 'protocol/server', ...ROLES]) },
      to: { path: under(COMPOSERS) },
    },
    {
      name: 'product-never-imports-tests',
      severity: 'error',
      from: {
        path: under(['protocol/core', 'protocol/server', ...ROLES, 'merchant-widget/demo-shop']),
        pathNot: TESTS,
      },
      to: { path: TESTS },
    },
    {
      name: 'tests-share-helpers-through-the-test-kit',
      comment: "Tests import another package's test helpers only from @opentab/test-kit.",
      severity: 'error',
      from: { path: `${under(PACKAGE_DIRS.filter((dir) => dir !== 'test-kit'))}` },
      to: { path: '(/testing/|^operator-server/test/)', pathNot: '^$1/' },
    },
    {
      name: 'imports-leave-a-package-by-its-name',
      comment:
        'A relative import never crosses into another package: name the package, and use what its exports offer.',
      severity: 'error',
      from: { path: under(PACKAGE_DIRS) },
      to: { dependencyTypes: ['local'], pathNot: '^$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)node_modules/', '(^|/)dist/', '^e2e/artifacts/'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.json'],
    },
  },
};
