import fs from 'node:fs';
import { createRequire } from 'node:module';

export type ElectronBinary = { available: true; path: string } | { available: false; reason: string };

/** Where the desktop window can open: a downloaded Electron binary and, on Linux, a display to show it on. */
export function locateElectronBinary(environment: NodeJS.ProcessEnv = process.env, platform = process.platform): ElectronBinary {
  let binary: string;
  try {
    binary = createRequire(import.meta.url)('electron') as string;
  } catch {
    return { available: false, reason: 'the Electron binary is not installed (its download fails on this offline machine)' };
  }
  if (typeof binary !== 'string' || !fs.existsSync(binary)) {
    return { available: false, reason: 'the Electron binary is missing from node_modules/electron' };
  }
  if (platform === 'linux' && !environment.DISPLAY && !environment.WAYLAND_DISPLAY) {
    return { available: false, reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  return { available: true, path: binary };
}
