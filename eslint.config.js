// The lint rules that keep the four rooms and their one import direction (see README "Design decisions").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

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

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' },
      ],
    },
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
    plugins: { 'react-hooks': reactHooks },
    rules: { ...room(['server', 'sandbox'], nodeOnly), ...reactHooks.configs.recommended.rules },
  },
  { files: ['src/server/**'], rules: room(['web', 'sandbox']) },
  { files: ['src/sandbox/**'], rules: room(['web', 'server']) },
);
