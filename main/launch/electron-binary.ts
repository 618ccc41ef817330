import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type ElectronBinary = { available: true; path: string } | { available: false; reason: string };

// `require('electron')` would start a download when the binary is missing (Electron >= 42), which hangs or fails
// noisily offline; read the same files it reads instead.
function electronExecutable(environment: NodeJS.ProcessEnv): string | null {
  let packageDirectory: string;
  try {
    packageDirectory = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(packageDirectory, 'path.txt');
  const relative = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : null;
  if (environment.ELECTRON_OVERRIDE_DIST_PATH)
    return path.join(environment.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
  return relative ? path.join(packageDirectory, 'dist', relative) : null;
}

/** Where the desktop window can open: a downloaded Electron binary and, on Linux, a display to show it on. */
export function locateElectronBinary(
  environment: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): ElectronBinary {
  const binary = electronExecutable(environment);
  if (!binary || !fs.existsSync(binary)) {
    return {
      available: false,
      reason: 'the Electron binary is not installed (its download failed or was skipped, e.g. offline)',
    };
  }
  if (platform === 'linux' && !environment.DISPLAY && !environment.WAYLAND_DISPLAY) {
    return { available: false, reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  return { available: true, path: binary };
}
