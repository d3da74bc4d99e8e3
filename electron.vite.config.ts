// electron-vite builds three things: the main process (Electron shell, CLI, worker entries — one
// bundle set, so the CLI and the browser shell run the very same services), the sandboxed preload
// (CommonJS, as sandboxed preloads must be), and the React renderer.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Rewrites each worker entry as one self-contained file (esbuild, the chunks it imports inlined;
 * packages stay external, as the main build left them). A worker thread starts a Node environment
 * of its own and then loads its entry: as an ES module importing a dozen shared chunks, that was
 * a dozen resolutions, reads and module records on the path of every build (the image worker is
 * waited for; a copier thread starts with every build to a file). One-file entries, with the
 * copier's own small entry (image/worker/copy-worker.ts), rotating rounds of `glassmaster image`:
 * 50,000 files 1.64 → 1.59 s and 2.72 → 2.62 CPU s; a one-file folder 0.38 → 0.34 s.
 */
function selfContainedWorkers(entries: string[]): Plugin {
  return {
    name: 'glassmaster-self-contained-workers',
    async writeBundle(options) {
      const { build } = await import('esbuild');
      await Promise.all(entries.map((name) => {
        const file = resolve(options.dir!, `${name}.js`);
        return build({
          entryPoints: [file], outfile: file, allowOverwrite: true, bundle: true,
          format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning',
        });
      }));
    },
  };
}

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
          // Beside the image worker's entry, where that one looks for it.
          'copy-worker': resolve(__dirname, 'src-main/image/worker/copy-worker.ts'),
          'audio-worker': resolve(__dirname, 'src-main/audio/worker/audio-worker.ts'),
        },
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          banner: (chunk) => (chunk.isEntry && (chunk.name === 'cli' || chunk.name === 'start') ? '#!/usr/bin/env node' : ''),
        },
      },
    },
    plugins: [selfContainedWorkers(['image-worker', 'copy-worker', 'audio-worker'])],
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
