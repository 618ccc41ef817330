import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { moveIntoPlace } from '../../../../main/core/files/move-into-place.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

const workspace = temporaryLibrary();
afterAll(() => workspace.remove());

describe('moveIntoPlace', () => {
  const write = (name: string, text: string): string => {
    const file = path.join(workspace.path, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('names a finished file, leaving no temporary behind', () => {
    const temporary = write('a.partial', 'model');
    const target = path.join(workspace.path, 'a.unisight');
    moveIntoPlace(temporary, target, false);
    expect(fs.readFileSync(target, 'utf8')).toBe('model');
    expect(fs.existsSync(temporary)).toBe(false);
  });

  // The race the check before it cannot close: a file appears at the name after it was found free.
  it('never replaces a file that appeared at the target unless asked to', () => {
    const target = write('b.unisight', 'written meanwhile');
    const temporary = write('b.partial', 'model');
    expect(() => moveIntoPlace(temporary, target, false)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(fs.readFileSync(target, 'utf8')).toBe('written meanwhile');
    moveIntoPlace(temporary, target, true);
    expect(fs.readFileSync(target, 'utf8')).toBe('model');
    expect(fs.existsSync(temporary)).toBe(false);
  });
});
