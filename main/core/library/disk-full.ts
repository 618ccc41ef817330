/** A full disk as SQLite (SQLITE_FULL) or the file system (ENOSPC, EDQUOT) reports it, in an error or a reason. */
export function isDiskFull(reason: string | null): boolean {
  return reason !== null && /\bE(NOSPC|DQUOT)\b|SQLITE_FULL|database or disk is full/.test(reason);
}

/** The text `isDiskFull` reads from a thrown error: its code and its message. */
export function errorText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return `${typeof code === 'string' ? code : ''} ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * The app's own words for a full disk, wherever it stops a job: which disk, and what to do once there is space
 * (`then`, e.g. "run the import again: …"). Shown instead of SQLite's or the file system's bare error.
 */
export function diskFullMessage(where: string, then: string): string {
  return `The disk holding ${where} is full. Free some space and ${then}`;
}
