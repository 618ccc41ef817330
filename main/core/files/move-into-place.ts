import fs from 'node:fs';

/**
 * Gives a finished temporary file its name. Without `overwrite`, a file that appeared at `target` since it was looked
 * at is never replaced: a hard link is made (which fails with EEXIST), not a rename (which would replace it). File
 * systems without hard links (FAT, exFAT) get an exclusive copy instead.
 */
export function moveIntoPlace(temporary: string, target: string, overwrite: boolean): void {
  if (overwrite) {
    fs.renameSync(temporary, target);
    return;
  }
  try {
    fs.linkSync(temporary, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error;
    try {
      fs.copyFileSync(temporary, target, fs.constants.COPYFILE_EXCL);
    } catch (copyError) {
      // A copy cut short (a full disk) must not be left behind under the target's name; an existing file is no copy's.
      if ((copyError as NodeJS.ErrnoException).code !== 'EEXIST') fs.rmSync(target, { force: true });
      throw copyError;
    }
  }
  fs.rmSync(temporary);
}
