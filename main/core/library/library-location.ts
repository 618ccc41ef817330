import os from 'node:os';
import path from 'node:path';

export type LibraryLocationSource = 'flag' | 'environment' | 'electron-user-data' | 'platform-default';

export interface LibraryLocation {
  path: string;
  source: LibraryLocationSource;
}

export interface LibraryLocationInputs {
  flag?: string | undefined;
  environment?: NodeJS.ProcessEnv;
  electronUserData?: string | undefined;
  platform?: NodeJS.Platform;
  homeDirectory?: string;
}

/** `--library DIR` wins over `UNISIGHT_LIBRARY`, which wins over the platform's app-data folder. */
export function resolveLibraryLocation(inputs: LibraryLocationInputs = {}): LibraryLocation {
  const environment = inputs.environment ?? process.env;
  if (inputs.flag) return { path: path.resolve(inputs.flag), source: 'flag' };
  if (environment.UNISIGHT_LIBRARY) return { path: path.resolve(environment.UNISIGHT_LIBRARY), source: 'environment' };
  if (inputs.electronUserData)
    return { path: path.join(inputs.electronUserData, 'library'), source: 'electron-user-data' };
  return {
    path: platformDefaultLibrary(
      inputs.platform ?? process.platform,
      inputs.homeDirectory ?? os.homedir(),
      environment,
    ),
    source: 'platform-default',
  };
}

function platformDefaultLibrary(platform: NodeJS.Platform, home: string, environment: NodeJS.ProcessEnv): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Unisight', 'library');
  if (platform === 'win32')
    return path.join(environment.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Unisight', 'library');
  return path.join(environment.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'unisight');
}
