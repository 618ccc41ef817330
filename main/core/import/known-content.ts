import path from 'node:path';
import Database from 'better-sqlite3';
import { catalogFileName } from '../library/catalog-database.js';

/**
 * Asks the catalog, from an import worker, whether a DICOM file with exactly these bytes is already imported from
 * another path: exports often hold the same studies twice (by patient and by date), and a copy needs no decoding and
 * no place in the image cache. Read-only, beside the core's own connection (WAL allows both). A copy found only
 * after its original's batch is written is caught later by its SOP Instance UID (catalog-writer).
 */
export class KnownContent {
  private readonly lookup: Database.Statement | null;

  constructor(libraryPath: string) {
    let lookup: Database.Statement | null = null;
    try {
      const database = new Database(path.join(libraryPath, catalogFileName), { readonly: true, fileMustExist: true });
      database.pragma('busy_timeout = 5000');
      lookup = database.prepare("SELECT path FROM files WHERE content_sha256 = ? AND outcome = 'imported' AND kind = 'dicom' AND path != ? LIMIT 1").pluck();
    } catch {
      // Without the catalog every file is decoded, as before this check existed: slower for copies, never wrong.
    }
    this.lookup = lookup;
  }

  /** The path of an imported file with the same content, or null. */
  importedCopyOf(sha256: string, filePath: string): string | null {
    return (this.lookup?.get(sha256, filePath) as string | undefined) ?? null;
  }
}
