import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const pseudonymKeyFile = 'pseudonym.key';

/**
 * Patient identifiers become keyed hashes (HMAC-SHA-256 with a secret per library). The key lives in its own file,
 * readable only by the user, so a copy of the catalog alone cannot be matched back to patients.
 */
export class Pseudonymiser {
  private readonly key: Buffer;

  constructor(libraryPath: string) {
    const file = path.join(libraryPath, pseudonymKeyFile);
    try {
      fs.writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    this.key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
    if (this.key.length !== 32) throw new Error(`${file} is damaged: it must hold a 32-byte hex key.`);
  }

  /** A patient without an ID is keyed by study, so unrelated studies are never merged into one patient. */
  patient(patientId: string | null, studyInstanceUid: string): string {
    const subject = patientId ? `patient:${patientId}` : `study:${studyInstanceUid}`;
    return `P${createHmac('sha256', this.key).update(subject).digest('hex').slice(0, 16)}`;
  }

  /** The same name always gets the same pseudonym, so the folders of a pseudonymised path keep their structure. */
  pathComponent(name: string): string {
    return createHmac('sha256', this.key).update(`path:${name}`).digest('hex').slice(0, 16);
  }

  /** A key of its own for each use, derived from the library's, so no use can reveal another's. */
  derivedKey(purpose: string): Buffer {
    return createHmac('sha256', this.key).update(`key:${purpose}`).digest();
  }
}
