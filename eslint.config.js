// The lint rules that keep the four rooms and their one import direction (see docs/decisions.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';
import { readdirSync } from 'node:fs';

const room = (forbidden, extra = []) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        ...forbidden.map((name) => ({
          // A package's own entry point that happens to share a room's name is not that room.
          group: [`**/${name}/**`, `**/${name}`, '!react-dom/server'],
          message: `This room may import only src/contract (and its own files), not ${name}/.`,
        })),
        ...extra,
      ],
    },
  ],
});

const nodeOnly = [
  { group: ['node:*', 'fastify', '@fastify/*', 'undici', 'better-sqlite3'], message: 'Node-only module.' },
];

// Inside src/web, one direction: lib/ and components/ -> features/* -> app/ (main.tsx, the composition root, imports
// any of them). A feature imports no other feature, except features/person/: what Users, Invitations and Invite share.
const SHARED_FEATURE = 'person';
const features = readdirSync(new URL('./src/web/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const web = (path) => `./src/web/${path}`;
const webLayers = [
  {
    target: [web('lib'), web('components')],
    from: [web('features'), web('app')],
    message:
      'lib/ and components/ know no feature and no app shell: move the shared piece down, or pass it in.',
  },
  { target: web('lib'), from: web('components'), message: 'lib/ holds no components.' },
  {
    target: web('features'),
    from: web('app'),
    message: 'A feature never imports app/: app/ imports features.',
  },
  ...features.map((feature) => ({
    target: web(`features/${feature}`),
    from: web('features'),
    except: feature === SHARED_FEATURE ? [`./${feature}`] : [`./${feature}`, `./${SHARED_FEATURE}`],
    message: `A feature imports no other feature's files; what two features share goes to features/${SHARED_FEATURE}/.`,
  })),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' },
      ],
    },
  },
  // Type-aware rules: a promise is awaited, handled or marked `void`, and never handed to what expects no promise.
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  // No import cycles anywhere (a screen loaded lazily by import() may close a loop: the router imports the screen
  // that links back).
  {
    files: ['src/**'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { allowUnsafeDynamicCyclicDependency: true }] },
  },
  {
    files: ['vite.config.ts', 'eslint.config.js', 'test/**/vitest*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/contract/**'],
    rules: room(
      ['web', 'server', 'sandbox'],
      [...nodeOnly, { group: ['react', 'react-*', '@mui/*'], message: 'The contract imports zod only.' }],
    ),
  },
  {
    files: ['src/web/**'],
    // Browser globals only: `process` and the like are not there in the bundle.
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...room(['server', 'sandbox'], nodeOnly),
      ...reactHooks.configs.recommended.rules,
      'import-x/no-restricted-paths': ['error', { zones: webLayers }],
    },
  },
  // Component tests run in jsdom, e2e tests hand functions to the browser: both see browser and Node globals.
  {
    files: ['test/web/**', 'test/e2e/**', 'test/support/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  { files: ['src/server/**'], rules: room(['web', 'sandbox']) },
  { files: ['src/sandbox/**'], rules: room(['web', 'server']) },
);
