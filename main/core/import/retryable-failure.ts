import { copyOfChangedReason } from './catalog-writer.js';

// A file that failed because of the machine, not because of its bytes, is processed again by the next import even
// though it has not changed: a full disk, an exhausted file table or a worker the system killed say nothing about it.
// Failures of the file itself (unparseable, truncated, a decoder that crashes or hangs on it) stay failed until it
// changes, so a hostile file costs one worker once, not at every import.

/** Errors of the file system and the kernel that a later import may not meet. */
const machineErrorCodes = /\bE(NOSPC|DQUOT|IO|MFILE|NFILE|NOMEM|AGAIN|BUSY|ROFS|ACCES|PERM)\b/;

/** The disk holding the library is full: the import stops rather than fail every remaining file the same way. */
export function isDiskFull(reason: string | null): boolean {
  return reason !== null && /\bE(NOSPC|DQUOT)\b|SQLITE_FULL|database or disk is full/.test(reason);
}

export function isRetryableFailure(reason: string | null): boolean {
  if (reason === null) return false;
  return machineErrorCodes.test(reason) || ['worker ended by signal SIGKILL', 'import stopped before this file was processed', copyOfChangedReason].includes(reason);
}

/** The message an import fails with when the library's disk is full. */
export function diskFullMessage(libraryPath: string): string {
  return `The disk holding the library (${libraryPath}) is full. Free some space and run the import again: everything imported so far is kept, and the rest is picked up.`;
}

/** A full disk (SQLite's SQLITE_FULL, the file system's ENOSPC) as the message above; any other error as it is. */
export function explainStorageError(error: unknown, libraryPath: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const text = `${typeof code === 'string' ? code : ''} ${error instanceof Error ? error.message : String(error)}`;
  return isDiskFull(text) ? new Error(diskFullMessage(libraryPath)) : error;
}
