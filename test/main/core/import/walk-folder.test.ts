import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { walkFolder } from '../../../../main/core/import/walk-folder.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

describe('walkFolder', () => {
  const root = temporaryLibrary();
  afterAll(() => root.remove());

  it('finds files at any depth by content category, ends symlink loops, and reports unreadable folders', () => {
    const base = root.path;
    fs.mkdirSync(path.join(base, 'PAT1', 'ST1', 'SE1'), { recursive: true });
    fs.writeFileSync(path.join(base, 'PAT1', 'ST1', 'SE1', 'IM0001'), 'x');
    fs.writeFileSync(path.join(base, 'PAT1', 'ST1', 'report.txt'), 'text');
    fs.writeFileSync(path.join(base, 'reports.csv'), 'a,b');
    fs.writeFileSync(path.join(base, 'unisight-manifest.json'), '{}');
    fs.writeFileSync(path.join(base, '.DS_Store'), 'junk');
    fs.writeFileSync(path.join(base, 'empty.dcm'), '');
    fs.symlinkSync(base, path.join(base, 'PAT1', 'loop'));
    fs.mkdirSync(path.join(base, 'locked'));
    fs.chmodSync(path.join(base, 'locked'), 0);
    const unreadable: string[] = [];
    const found = [...walkFolder(base, (directory) => unreadable.push(directory))];
    fs.chmodSync(path.join(base, 'locked'), 0o755);
    const byName = Object.fromEntries(found.map((file) => [path.relative(base, file.path), file.kind]));
    expect(byName).toEqual({
      '.DS_Store': 'junk',
      'empty.dcm': 'junk',
      'reports.csv': 'table',
      'unisight-manifest.json': 'manifest',
      'PAT1/ST1/SE1/IM0001': 'dicom',
      'PAT1/ST1/report.txt': 'report-text',
    });
    if (process.getuid?.() !== 0) expect(unreadable).toEqual([path.join(base, 'locked')]);
  });
});
