// electron-vite builds three things: the main process (Electron shell, CLI, worker entries — one
// bundle set, so the CLI and the browser shell run the very same services), the sandboxed preload
// (CommonJS, as sandboxed preloads must be), and the React renderer.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Bundled, not loaded from node_modules: every `glassmaster` command parses its options
      // with commander and validates them with zod, and their ES modules (dozens of files) took
      // ~0.1 s to load at each start (`glassmaster --version`: 0.31–0.44 s → 0.24–0.25 s).
      externalizeDeps: { exclude: ['zod', 'commander'] },
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/shell/electron/main.ts'),
          cli: resolve(__dirname, 'src-main/cli/cli-entry.ts'),
          start: resolve(__dirname, 'src-main/shell/start.ts'),
          'image-worker': resolve(__dirname, 'src-main/image/worker/image-worker.ts'),
          'audio-worker': resolve(__dirname, 'src-main/audio/worker/audio-worker.ts'),
        },
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          banner: (chunk) => (chunk.isEntry && (chunk.name === 'cli' || chunk.name === 'start') ? '#!/usr/bin/env node' : ''),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    build: {
      outDir: 'out/renderer',
      minify: true,
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
    },
    plugins: [react()],
  },
});
