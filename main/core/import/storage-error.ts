import { diskFullMessage as diskFull, errorText, isDiskFull } from '../library/disk-full.js';

/** The message an import fails with when the library's disk is full. */
export function diskFullMessage(libraryPath: string): string {
  return diskFull(
    `the library (${libraryPath})`,
    'run the import again: everything imported so far is kept, and the rest is picked up.',
  );
}

/** A full disk (SQLite's SQLITE_FULL, the file system's ENOSPC) as the message above; any other error as it is. */
export function explainStorageError(error: unknown, libraryPath: string): unknown {
  return isDiskFull(errorText(error)) ? new Error(diskFullMessage(libraryPath)) : error;
}
