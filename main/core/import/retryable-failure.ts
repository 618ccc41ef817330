import { diskFullMessage as diskFull, errorText, isDiskFull } from '../library/disk-full.js';
import { copyOfChangedReason } from './catalog-writer.js';

// A file that failed because of the machine, not because of its bytes, is processed again by the next import even
// though it has not changed: a full disk or an exhausted file table says nothing about it. Failures that may be the
// file's own stay failed until it changes (unparseable, truncated, unreadable, a decoder that crashes, hangs or takes
// so much memory that the system kills its worker), so a hostile file costs one worker once, not at every import.

/** Resources of the machine that run out, and come back. */
const machineErrorCodes = /\bE(NOSPC|DQUOT|MFILE|NFILE|NOMEM|AGAIN)\b/;

export function isRetryableFailure(reason: string | null): boolean {
  if (reason === null) return false;
  return (
    machineErrorCodes.test(reason) ||
    ['import stopped before this file was processed', copyOfChangedReason].includes(reason)
  );
}

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
