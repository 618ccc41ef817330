import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listFolders } from '../../../../main/core/files/list-folders.js';

describe('listing folders to pick an import folder in browser mode', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'unisight-list-folders-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const name of ['b10', 'b2', 'a', '.hidden']) fs.mkdirSync(path.join(root, name));
  fs.writeFileSync(path.join(root, 'report.txt'), 'a file, not a folder');
  fs.symlinkSync(path.join(root, 'a'), path.join(root, 'linked-folder'));
  fs.symlinkSync(path.join(root, 'report.txt'), path.join(root, 'linked-file'));
  fs.symlinkSync(path.join(root, 'gone'), path.join(root, 'dangling'));

  it('lists subfolders by name in natural order, links to folders included, files and hidden folders left out', () => {
    const listing = listFolders(root);
    expect(listing).toEqual({
      folder: root,
      parent: path.dirname(root),
      home: os.homedir(),
      folders: ['a', 'b2', 'b10', 'linked-folder'].map((name) => ({ name, path: path.join(root, name) })),
      truncated: false,
    });
  });

  it('starts at the home folder and ends at the root', () => {
    expect(listFolders(undefined).folder).toBe(os.homedir());
    expect(listFolders('/').parent).toBeNull();
  });

  it('says plainly why a path cannot be listed', () => {
    expect(() => listFolders(path.join(root, 'missing'))).toThrow(/missing does not exist\.$/);
    expect(() => listFolders(path.join(root, 'report.txt'))).toThrow(/report\.txt is not a folder\.$/);
  });
});
