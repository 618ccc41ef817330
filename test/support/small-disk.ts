import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { skipUnless } from './outside-tools.js';
import { temporaryLibrary } from './temporary-library.js';

export interface SmallDisk {
  /** Where the tmpfs is mounted. */
  path: string;
  /** Null when mounted; else the skip line (see outside-tools.ts). */
  skipped: string | null;
  /** Unmounts it and removes the folder around it. */
  remove(): void;
}

/**
 * A real disk of `size` (e.g. "4m") to fill: a tmpfs in a temporary folder. Mounting needs root with CAP_SYS_ADMIN
 * (the CI machines have it); elsewhere `tests` are skipped with the reason.
 */
export function smallDisk(size: string, tests: string): SmallDisk {
  const workspace = temporaryLibrary();
  const disk = path.join(workspace.path, 'small-disk');
  fs.mkdirSync(disk);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', disk], { encoding: 'utf8' });
  let skipped: string | null;
  try {
    skipped = skipUnless(
      tests,
      { description: 'a small tmpfs', remedy: 'run the tests as root with CAP_SYS_ADMIN on Linux' },
      mounted.status === 0 ? null : (mounted.stderr || mounted.error?.message || 'mount failed').trim(),
    );
  } catch (error) {
    workspace.remove();
    throw error;
  }
  return {
    path: disk,
    skipped,
    remove: () => {
      if (!skipped) spawnSync('umount', [disk]);
      workspace.remove();
    },
  };
}
