import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  copyRegularFile,
  OutsideFileError,
  pathInsideFolder,
  readRegularFile,
} from '../../../../main/core/files/outside-files.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

const workspace = temporaryLibrary();
afterAll(() => workspace.remove());

describe('reading a file named from outside', () => {
  it('reads a regular file within its limit, and refuses a FIFO, a device, a folder or a larger file at once', () => {
    const file = path.join(workspace.path, 'table.csv');
    fs.writeFileSync(file, 'a,b\n1,2\n');
    expect(readRegularFile(file, 'The table', 100).toString()).toBe('a,b\n1,2\n');
    const fifo = path.join(workspace.path, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const started = performance.now();
    expect(() => readRegularFile(fifo, 'The table', 100)).toThrow(/is a named pipe, not a file/);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(() => readRegularFile('/dev/zero', 'The table', 100)).toThrow(/is a device, not a file/);
    expect(() => readRegularFile(workspace.path, 'The table', 100)).toThrow(/is a folder, not a file/);
    expect(() => readRegularFile(file, 'The table', 4)).toThrow(/more than the 0\.00 MB allowed/);
    expect(() => readRegularFile(path.join(workspace.path, 'absent'), 'The table', 4)).toThrow(OutsideFileError);
  });

  it('keeps names a folder gives inside that folder, links included, and works at the root of a file system', () => {
    const folder = path.join(workspace.path, 'export');
    fs.mkdirSync(path.join(folder, 'tables'), { recursive: true });
    fs.writeFileSync(path.join(workspace.path, 'secret.csv'), 'x');
    fs.symlinkSync(path.join(workspace.path, 'secret.csv'), path.join(folder, 'link.csv'));
    expect(pathInsideFolder(folder, 'tables/reports.csv', 'The table')).toBe(path.join(folder, 'tables/reports.csv'));
    for (const name of ['../secret.csv', path.join(workspace.path, 'secret.csv'), 'link.csv', 'tables/../../x', '.'])
      expect(() => pathInsideFolder(folder, name, 'The table'), name).toThrow(/is outside the imported folder/);
    expect(pathInsideFolder('/', 'etc/hostname', 'The table')).toBe('/etc/hostname');
  });

  it('copies a regular file from the descriptor it checked, in pieces, to a new file only', () => {
    const file = path.join(workspace.path, 'model.unisight');
    const bytes = Buffer.alloc(9 * 1024 ** 2 + 7);
    for (let index = 0; index < bytes.length; index += 4096) bytes[index] = index % 251;
    fs.writeFileSync(file, bytes);
    const copy = path.join(workspace.path, 'copy.unisight');
    expect(copyRegularFile(file, 'The model file', bytes.length, copy)).toBe(bytes.length);
    expect(fs.readFileSync(copy).equals(bytes)).toBe(true);
    expect(() => copyRegularFile(file, 'The model file', bytes.length, copy)).toThrow(/EEXIST/);
    expect(() => copyRegularFile('/dev/zero', 'The model file', 100, `${copy}.2`)).toThrow(/is a device/);
    expect(fs.existsSync(`${copy}.2`)).toBe(false);
  });
});
