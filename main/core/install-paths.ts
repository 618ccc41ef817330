import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Bundled chunks may sit at different depths under dist/, so locate the install by its package.json instead of
// counting '..' from this file.
function findPackageRoot(start: string): { root: string; version: string } {
  let directory = start;
  for (;;) {
    const manifestFile = path.join(directory, 'package.json');
    if (fs.existsSync(manifestFile)) {
      const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'unisight') return { root: directory, version: manifest.version ?? '0.0.0' };
    }
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error(`Cannot find Unisight's package.json above ${start}.`);
    directory = parent;
  }
}

const found = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

export const packageRoot = found.root;
export const appVersion = found.version;
export const distDirectory = path.join(packageRoot, 'dist');
export const rendererDirectory = path.join(distDirectory, 'renderer');
export const engineEntryFile = path.join(distDirectory, 'main', 'core', 'engine', 'engine-entry.js');
export const importWorkerFile = path.join(distDirectory, 'main', 'core', 'import', 'import-worker.js');
export const preloadFile = path.join(distDirectory, 'main', 'electron', 'preload.cjs');
