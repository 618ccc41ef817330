import path from 'node:path';
import Database from 'better-sqlite3';
import { catalogFileName } from '../library/catalog-database.js';

/**
 * Asks the catalog, from an import worker, whether a DICOM file with exactly these bytes is already imported from
 * another path: exports often hold the same studies twice (by patient and by date), and a copy needs no decoding and
 * no place in the image cache. Read-only, beside the core's own connection (WAL allows both). A copy processed before
 * its original's batch is written is decoded, and caught later by its SOP Instance UID (catalog-writer).
 */
export class KnownContent {
  private lookup: Database.Statement | null = null;

  constructor(libraryPath: string) {
    let database: Database.Database | null = null;
    try {
      database = new Database(path.join(libraryPath, catalogFileName), { readonly: true, fileMustExist: true });
      database.pragma('busy_timeout = 5000');
      this.lookup = database
        .prepare(
          "SELECT path FROM files WHERE content_sha256 = ? AND outcome = 'imported' AND kind = 'dicom' AND path != ? LIMIT 1",
        )
        .pluck();
    } catch (error) {
      database?.close();
      this.giveUp(error);
    }
  }

  /** The catalog path of an imported file with the same content, or null (also when the catalog cannot answer). */
  importedCopyOf(sha256: string, catalogPath: string): string | null {
    try {
      return (this.lookup?.get(sha256, catalogPath) as string | undefined) ?? null;
    } catch (error) {
      this.giveUp(error);
      return null;
    }
  }

  // Without the catalog every file is decoded, as before this check existed: slower for copies, never wrong. Said
  // once, on stderr, which the pool writes to the app's log.
  private giveUp(error: unknown): void {
    this.lookup = null;
    console.error(
      `import worker: copies are not looked up in the catalog (${error instanceof Error ? error.message : String(error)}); every file is decoded`,
    );
  }
}
