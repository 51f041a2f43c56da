// @ts-check
import tseslint from 'typescript-eslint';

// Domain folders: pure code that must never import the VS Code API.
const domain = [
  'src/model/**', 'src/remote/**', 'src/backends/**', 'src/tc/**', 'src/nix/**', 'src/lab/**',
  'src/build/**', 'src/deploy/**', 'src/export/**', 'src/lib/**', 'src/capture/**', 'src/plan/**', 'src/cli.ts', 'src/cliLab.ts', 'webview/**',
];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', 'node_modules/**', '.vscode-test/**', '.sandbox/**', 'test-results/**', 'bench/results/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
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
