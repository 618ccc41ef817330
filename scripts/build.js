// Builds everything `npm start`, `unisight` and the tests run: main + CLI + engine (ESM, Node), the sandboxed
// preload (CommonJS, self-contained), and the renderer (Vite).
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import fs from 'node:fs';

const started = performance.now();
fs.rmSync('dist', { recursive: true, force: true });

await esbuild({
  entryPoints: {
    'main/cli/index': 'main/cli/index.ts',
    'main/electron/main': 'main/electron/main.ts',
    'main/core/engine/engine-entry': 'main/core/engine/engine-entry.ts',
    'main/core/import/import-worker': 'main/core/import/import-worker.ts',
    'bench/train-step-benchmark': 'bench/train-step-benchmark.ts',
    'bench/gpu-check': 'bench/gpu-check.ts',
    'bench/search-benchmark': 'bench/search-benchmark.ts',
    'bench/search-quality': 'bench/search-quality.ts',
    'bench/real-images': 'bench/real-images.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  packages: 'external',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});

await esbuild({
  entryPoints: { 'main/electron/preload': 'main/electron/preload.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  external: ['electron'],
  sourcemap: true,
  logLevel: 'warning',
});

await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' });

console.log(`unisight: built dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
