// `npm run build:native`: builds the optional native addons offline. A Node-API addon links against nothing from Node
// (its symbols resolve when Node or Electron loads it, the same binary in both), so a C compiler, the Node-API headers
// (npm package node-api-headers) and the system library each wraps are all it needs. Linux only for now; the app
// works without either (WebAssembly takes their place).
//   native/wasm-blas:    matrix products for the ML engine through OpenBLAS (apt install gcc libopenblas-dev)
//   native/jpeg-2000:    JPEG 2000 for the importer's workers through OpenJPEG (apt install gcc libopenjp2-7-dev)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const headers = path.dirname(createRequire(import.meta.url).resolve('node-api-headers/include/node_api.h'));
const addons = [
  {
    name: 'wasm-blas',
    source: 'wasm_blas.c',
    output: 'wasm_blas.node',
    includes: ['/usr/include/x86_64-linux-gnu', '/usr/include/aarch64-linux-gnu', '/usr/include/openblas'],
    libraries: ['-lopenblas'],
    packages: 'libopenblas-dev',
    built: 'the engine routes matrix products to OpenBLAS when it finds it',
    missing: 'the engine keeps working on WebAssembly alone',
  },
  {
    name: 'jpeg-2000',
    source: 'jpeg_2000.c',
    output: 'jpeg_2000.node',
    includes: ['/usr/include/openjpeg-2.5'],
    libraries: ['-lopenjp2'],
    packages: 'libopenjp2-7-dev',
    built: 'import workers decode JPEG 2000 with the system OpenJPEG',
    missing: 'import workers keep decoding JPEG 2000 in WebAssembly',
  },
];

if (process.platform !== 'linux') {
  console.error(
    `build:native: only Linux is supported so far (this is ${process.platform}); the app uses WebAssembly alone.`,
  );
  process.exit(1);
}
const compiler = process.env.CC ?? 'cc';
let failures = 0;
for (const addon of addons) {
  const folder = path.join(root, 'native', addon.name);
  const output = path.join(folder, 'build', addon.output);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  const includes = [headers, ...addon.includes].map((directory) => `-I${directory}`);
  const command = [
    '-O2',
    '-shared',
    '-fPIC',
    '-Wall',
    '-Wextra',
    '-Werror',
    ...includes,
    path.join(folder, addon.source),
    ...addon.libraries,
    '-o',
    `${output}.partial`,
  ];
  const result = spawnSync(compiler, command, { stdio: 'inherit' });
  if (result.status !== 0) {
    failures += 1;
    console.error(
      `build:native: ${addon.name} failed (${result.error?.message ?? `${compiler} exited with ${result.status}`}); ${addon.missing}. It needs a C compiler and ${addon.packages}.`,
    );
    continue;
  }
  fs.renameSync(`${output}.partial`, output);
  console.log(`build:native: built ${path.relative(root, output)}; ${addon.built}.`);
}
process.exit(failures > 0 ? 1 : 0);
