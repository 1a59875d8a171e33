import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['lib/**', 'node_modules/**', '.cache/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Development tools (the local ECS endpoint, the demo, the dev server) are for development and
    // tests: product code never imports them; the CLI loads them only in their own commands, with
    // import().
    files: ['src/**/*.ts'],
    ignores: ['src/dev/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)dev(/|$)', message: 'Product code must not import src/dev/ (development tools); a CLI command loads them with import().' }] },
      ],
    },
  },
  {
    // Workflow code is replayed deterministically in a sandbox: no Node built-ins, no I/O, and no
    // zod (a workflow's modules are initialised for every workflow: see docs/design.md).
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must not use Node built-ins; do I/O in an activity.' })),
          patterns: [
            { regex: '^zod$', message: 'No zod in workflow code: it costs every workflow its module initialisation (docs/design.md).' },
            {
              regex: '^\\.\\./activities(/(?!contracts$).*)?$',
              message: 'Import activities as types only (import type) and call them through proxyActivities.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
