#!/usr/bin/env node
// Unisight runs on Node 22. This launcher may be started by an older system Node (npx, a shell alias): it then
// re-runs itself on the project's pinned Node 22 from node_modules, so every documented command behaves the same.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);

if (major !== 22) {
  const pinned = path.join(root, 'node_modules', 'node', 'bin', 'node');
  if (!fs.existsSync(pinned)) {
    console.error(
      `unisight: needs Node 22 (this is ${process.version}) and the pinned one is missing; run \`npm install\` in ${root}.`,
    );
    process.exit(1);
  }
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 15 : 1)));
} else {
  const entry = path.join(root, 'dist', 'main', 'cli', 'index.js');
  if (!fs.existsSync(entry)) {
    console.error(`unisight: not built yet; run \`npm run build\` in ${root}.`);
    process.exit(1);
  }
  // V8's code cache on disk: each command, and each engine and import worker process it starts (they inherit the
  // variable), compiles its modules once instead of at every start (~50 ms of each start here). Node checks every
  // cached entry against its source, and NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  const cache = module.enableCompileCache();
  if (cache.directory) process.env.NODE_COMPILE_CACHE = cache.directory;
  await import(pathToFileURL(entry).href);
}
