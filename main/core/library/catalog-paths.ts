import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import type { Pseudonymiser } from './pseudonymiser.js';

/** `library_meta` key: present (value 'pseudonymised') when the library keeps file paths as pseudonyms. */
const settingKey = 'file_paths';
const sealing = 'aes-256-gcm';
const nonceBytes = 12;
const tagBytes = 16;
/** Extensions a name keeps when it is pseudonymised: they tell file kinds apart and say nothing of a patient. */
const keptExtensions = new Set([
  '.dcm',
  '.dicom',
  '.dic',
  '.ima',
  '.txt',
  '.csv',
  '.tsv',
  '.json',
  '.jsonl',
  '.ndjson',
]);

export interface CataloguedLocation {
  path: string;
  /** The real path sealed with the library's key; null when `path` is the real path. */
  location: string | null;
}

/**
 * How the catalog names files. By default a file is catalogued under its real path. In a library with pseudonymised
 * paths every folder and file name becomes a keyed pseudonym (the same name always the same one, so folders still
 * group their files and a report's name still matches its image's), and the real path is kept only sealed
 * (AES-256-GCM with a key derived from `pseudonym.key`), for this machine to open the file again: folders named after
 * patients (`ANDERSEN^Ahmed_MRN0003776/`) then appear nowhere in the catalog, its file log or the API's answers.
 */
export class CatalogPaths {
  private readonly sealingKey: Buffer | null;
  private readonly components = new Map<string, string>();

  private constructor(
    private readonly pseudonymiser: Pseudonymiser,
    readonly pseudonymised: boolean,
  ) {
    this.sealingKey = pseudonymised ? pseudonymiser.derivedKey('file-path-sealing') : null;
  }

  /** The library's setting as it stands now (an import may have just switched it on). */
  static of(database: Database.Database, pseudonymiser: Pseudonymiser): CatalogPaths {
    return new CatalogPaths(pseudonymiser, pathsArePseudonymised(database));
  }

  /** What the catalog calls the file (or folder) at this absolute path. */
  catalogPath(realPath: string): string {
    if (!this.pseudonymised) return realPath;
    const { root } = path.parse(realPath);
    const names = realPath.slice(root.length).split(path.sep).filter(Boolean);
    return root + names.map((name) => this.pseudonymousName(name)).join(path.sep);
  }

  /** The sealed real path to store beside the catalog path; null when the two are the same. */
  seal(realPath: string): string | null {
    if (!this.sealingKey) return null;
    const nonce = randomBytes(nonceBytes);
    const cipher = createCipheriv(sealing, this.sealingKey, nonce);
    const sealed = Buffer.concat([cipher.update(realPath, 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), sealed]).toString('base64');
  }

  /** The real path of a catalogued file, for this machine to open it. */
  realPath(file: CataloguedLocation): string {
    if (file.location === null) return file.path;
    if (!this.sealingKey)
      throw new Error(
        `The catalog holds a sealed path for ${file.path}, but this library's paths are not pseudonymised.`,
      );
    const bytes = Buffer.from(file.location, 'base64');
    const decipher = createDecipheriv(sealing, this.sealingKey, bytes.subarray(0, nonceBytes));
    decipher.setAuthTag(bytes.subarray(nonceBytes, nonceBytes + tagBytes));
    return Buffer.concat([decipher.update(bytes.subarray(nonceBytes + tagBytes)), decipher.final()]).toString('utf8');
  }

  private pseudonymousName(name: string): string {
    let pseudonym = this.components.get(name);
    if (pseudonym === undefined) {
      const extension = path.extname(name);
      pseudonym = keptExtensions.has(extension.toLowerCase())
        ? this.pseudonymiser.pathComponent(name.slice(0, -extension.length)) + extension.toLowerCase()
        : this.pseudonymiser.pathComponent(name);
      this.components.set(name, pseudonym);
    }
    return pseudonym;
  }
}

export function pathsArePseudonymised(database: Database.Database): boolean {
  return database.prepare('SELECT 1 FROM library_meta WHERE key = ?').get(settingKey) !== undefined;
}

/**
 * Switches a library to pseudonymised paths, for good. Only a library without files can switch: rows already written
 * under real paths (and the reasons and summaries that name them) would keep those names.
 */
export function pseudonymisePaths(database: Database.Database): void {
  if (pathsArePseudonymised(database)) return;
  const files = (database.prepare('SELECT count(*) AS count FROM files').get() as { count: number }).count;
  if (files > 0)
    throw new ApiError(
      'conflict',
      `This library already holds ${files} files under their real paths, so its paths cannot be pseudonymised now; import into a new library (--library <empty folder>) to keep folder and file names out of the catalog.`,
    );
  database.prepare("INSERT INTO library_meta (key, value) VALUES (?, 'pseudonymised')").run(settingKey);
}
