// `npm run build:native`: builds the optional OpenBLAS matmul addon (native/wasm-blas) offline. A Node-API addon
// links against nothing from Node (its symbols resolve when Node or Electron loads it, the same binary in both), so a
// C compiler, the Node-API headers (npm package node-api-headers) and the system's OpenBLAS are all it needs:
// Debian/Ubuntu `apt install gcc libopenblas-dev`. Linux only for now. The app works without it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const source = path.join(root, 'native', 'wasm-blas', 'wasm_blas.c');
const output = path.join(root, 'native', 'wasm-blas', 'build', 'wasm_blas.node');
const headers = path.dirname(createRequire(import.meta.url).resolve('node-api-headers/include/node_api.h'));

if (process.platform !== 'linux') {
  console.error(`build:native: only Linux is supported so far (this is ${process.platform}); the engine uses WebAssembly alone.`);
  process.exit(1);
}
fs.mkdirSync(path.dirname(output), { recursive: true });
const compiler = process.env.CC ?? 'cc';
const command = [compiler, '-O2', '-shared', '-fPIC', '-Wall', '-Werror', `-I${headers}`, '-I/usr/include/x86_64-linux-gnu', '-I/usr/include/aarch64-linux-gnu', '-I/usr/include/openblas', source, '-lopenblas', '-o', `${output}.partial`];
const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit' });
if (result.status !== 0) {
  console.error(`build:native failed (${result.error?.message ?? `${compiler} exited with ${result.status}`}). The app keeps working on WebAssembly alone. A C compiler and libopenblas-dev are needed.`);
  process.exit(1);
}
fs.renameSync(`${output}.partial`, output);
console.log(`build:native: built ${path.relative(root, output)}; the engine routes matrix products to OpenBLAS when it finds it.`);
