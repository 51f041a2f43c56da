// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Domain folders: pure code that must never import the VS Code API.
const domain = [
  'src/model/**', 'src/remote/**', 'src/backends/**', 'src/tc/**', 'src/nix/**', 'src/lab/**',
  'src/build/**', 'src/deploy/**', 'src/export/**', 'src/lib/**', 'src/capture/**', 'src/plan/**', 'src/cli.ts', 'src/cliLab.ts', 'webview/**',
];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', 'node_modules/**', '.vscode-test/**', '.sandbox/**', 'test-results/**', 'bench/results/**', '**/*.js'] },
  // The scripts, harness, benches and stand-ins in plain JavaScript (ES modules on Node, some code run in the page).
  {
    files: ['**/*.mjs'],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node, ...globals.browser } },
    rules: {
      ...js.configs.recommended.rules,
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always'],
    },
  },
  ...tseslint.configs.recommended.map((c) => ({ ...c, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: domain,
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Domain code must not import vscode: keep it pure and unit-testable.' }],
      }],
    },
  },
);
