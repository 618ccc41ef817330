import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pseudonymKeyFile, Pseudonymiser } from '../../../../main/core/library/pseudonymiser.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

describe('Pseudonymiser', () => {
  const first = temporaryLibrary();
  const second = temporaryLibrary();
  afterAll(() => {
    first.remove();
    second.remove();
  });

  it('is stable within a library, different across libraries, and keeps its key private', () => {
    const one = new Pseudonymiser(first.path);
    const again = new Pseudonymiser(first.path);
    const other = new Pseudonymiser(second.path);
    expect(one.patient('MRN0001', '1.2.3')).toBe(again.patient('MRN0001', '9.9.9'));
    expect(one.patient('MRN0001', '1.2.3')).not.toBe(other.patient('MRN0001', '1.2.3'));
    expect(one.patient('MRN0001', '1.2.3')).toMatch(/^P[0-9a-f]{16}$/);
    expect(fs.statSync(path.join(first.path, pseudonymKeyFile)).mode & 0o777).toBe(0o600);
  });

  it('keys a patient without an ID by study, so such studies are never merged', () => {
    const pseudonymiser = new Pseudonymiser(first.path);
    expect(pseudonymiser.patient(null, '1.2.3')).not.toBe(pseudonymiser.patient(null, '1.2.4'));
  });

  it('refuses a damaged key instead of silently re-keying the library', () => {
    fs.writeFileSync(path.join(second.path, pseudonymKeyFile), 'abc');
    expect(() => new Pseudonymiser(second.path)).toThrow(/damaged/);
  });
});
