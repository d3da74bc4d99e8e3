// Lint: TypeScript rules plus an import-direction rule that keeps the architecture honest
// (in the spirit of VS Code's code-layering check).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import { dirname, relative, resolve } from 'node:path';

const root = dirname(new URL(import.meta.url).pathname);
const inside = (file, dir) => !relative(resolve(root, dir), file).startsWith('..');

/** Who may import whom. Each check returns an error message or undefined. */
function checkImport(file, source, typeOnly) {
  const target = source.startsWith('.') ? resolve(dirname(file), source) : undefined;
  if (inside(file, 'src-main/common')) {
    const allowedPackages = file.endsWith('.test.ts') ? ['zod', 'vitest'] : ['zod'];
    if (target ? !inside(target, 'src-main/common') : !allowedPackages.includes(source)) return 'src-main/common is runtime-neutral: it imports only itself (and zod).';
    return undefined;
  }
  // Renderer tests may compose the real services with the renderer's client and store.
  if (inside(file, 'src-renderer') && !/\.test\.tsx?$/.test(file)) {
    if (!target) return /^(node:|electron$)/.test(source) ? 'The renderer runs sandboxed: no Node or Electron imports.' : undefined;
    if (inside(target, 'src-renderer')) return undefined;
    const allowed = inside(target, 'src-main/common') || target === resolve(root, 'src-main/preload/api');
    if (!allowed) return 'The renderer reaches main only through src-main/common (and the preload API type).';
    if (!typeOnly) return 'The renderer imports src-main/common with `import type` only.';
    return undefined;
  }
  // Pure layers: MMC commands and CD framing are bytes in, bytes out — no I/O, testable alone.
  // (Tests, recorded-fixture capture scripts and __fixtures__ may use Node.)
  const support = /\.test\.ts$/.test(file) || /__fixtures__/.test(file);
  for (const pure of ['src-main/mmc', 'src-main/cd']) {
    if (inside(file, pure) && !support) {
      // The shape of a SCSI command (a type) is the one thing mmc/ shares with the transport contract.
      if (typeOnly && target === resolve(root, 'src-main/transport/transport')) continue;
      if (target ? !inside(target, pure) && !inside(target, 'src-main/common') : source.startsWith('node:')) return `${pure} is pure: it imports only itself and src-main/common, no Node modules.`;
    }
  }
  // transport/ knows nothing of MMC: only the MMC recorder emulation (virtual/), the shared contract
  // suite, benches and tests speak MMC.
  if (inside(file, 'src-main/transport') && !support && !inside(file, 'src-main/transport/virtual') && !inside(file, 'src-main/transport/contract') && !/-bench\.ts$/.test(file)) {
    if (target && inside(target, 'src-main/mmc')) return 'transport/ carries SCSI commands without knowing MMC: MMC belongs in mmc/ and drive/.';
  }
  // One addon loader: only transport/native/native-addon.ts loads the .node file.
  if (inside(file, 'src-main') && !support && file !== resolve(root, 'src-main/transport/native/native-addon.ts')) {
    if (source === 'node-gyp-build' || /\.node$/.test(source)) return 'Only src-main/transport/native/native-addon.ts loads the native addon.';
  }
  if (inside(file, 'src-main/image/worker') && target && !inside(target, 'src-main/common') && !inside(target, 'src-main/image') && !inside(target, 'src-main/workers')) {
    return 'Image worker code imports only common/, image/ and the worker runtime.';
  }
  if (inside(file, 'src-main') && !inside(file, 'src-main/shell') && !inside(file, 'src-main/preload')) {
    if (source === 'electron') return 'Services never import Electron; only src-main/shell/electron does.';
    if (target && inside(target, 'src-main/shell')) return 'Services never import the shells.';
  }
  return undefined;
}

const layering = {
  rules: {
    imports: {
      meta: { type: 'problem', schema: [] },
      create(context) {
        const check = (node, typeOnly) => {
          if (!node.source || typeof node.source.value !== 'string') return;
          const msg = checkImport(context.filename, node.source.value, typeOnly);
          if (msg) context.report({ node, message: msg });
        };
        return {
          ImportDeclaration: (node) => check(node, node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type'))),
          ExportNamedDeclaration: (node) => check(node, node.exportKind === 'type'),
          ExportAllDeclaration: (node) => check(node, node.exportKind === 'type'),
        };
      },
    },
  },
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'native/build/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { layering },
    rules: {
      'layering/imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['e2e/**/*.ts'],
    // Playwright fixtures take an empty destructuring pattern when they need no other fixture.
    rules: { 'no-empty-pattern': 'off' },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
    },
  },
);
