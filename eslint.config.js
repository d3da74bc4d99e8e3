// Lint: TypeScript rules plus the layering rules that keep the architecture honest.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

const noElectronInServices = {
  patterns: [
    { group: ['electron'], message: 'Services never import Electron; only src-main/shell/electron does.' },
    { group: ['**/shell/**', '**/ipc/electron-*'], message: 'Services never import the shells.' },
  ],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'native/build/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-control-regex': 'off',
    },
  },
  // common/ is runtime-neutral: the renderer imports its types.
  {
    files: ['src-main/common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'electron', 'ws', 'fs', 'path', 'os'], message: 'common/ is runtime-neutral.' },
        { group: ['../*', '!../common', '../../*'], message: 'common/ imports nothing outside itself.' },
      ] }],
    },
  },
  // Services: everything in src-main except the shells.
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/shell/**', 'src-main/preload/**', 'src-main/common/**'],
    rules: { 'no-restricted-imports': ['error', noElectronInServices] },
  },
  // The renderer may only reach src-main/common, and only for types.
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/src-main/*', '!**/src-main/common', '**/src-main/!(common)/**'], message: 'The renderer imports only src-main/common (types).' },
        { group: ['node:*', 'electron', 'fs', 'path'], message: 'The renderer runs sandboxed.' },
      ] }],
    },
  },
);
