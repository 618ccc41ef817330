import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maximumFileBytes } from '../../../../main/core/import/import-folder.js';
import { processFile } from '../../../../main/core/import/process-file.js';
import { dicomFileRequest } from '../../../support/dicom-samples.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

describe('processFile at the file size limit (what one import worker may hold)', () => {
  const library = temporaryLibrary();
  afterAll(() => library.remove());
  const request = (file: string) => dicomFileRequest(library.path, file, maximumFileBytes);

  // Sparse files: their size is real, their bytes cost no disk.
  it.each([
    ['exactly the limit', maximumFileBytes],
    ['one byte more', maximumFileBytes + 1],
    ['exactly 2 GiB', 2 ** 31],
  ])('skips a file of %s with its size, unread', async (_name, size) => {
    const file = path.join(library.path, `sparse-${size}.dcm`);
    fs.writeFileSync(file, '');
    fs.truncateSync(file, size);
    expect(await processFile(request(file))).toEqual({
      path: file,
      sha256: null,
      outcome: 'skipped',
      reason: `${size} bytes, more than an import worker may hold (${maximumFileBytes - 1})`,
    });
    fs.rmSync(file);
  });

  // What counts is the file as opened, not as the walk saw it: a file swapped since for a pipe is neither waited on
  // nor read (a blocking open would hang the worker until its time limit).
  it('skips a file replaced by a named pipe since the walk, at once', async () => {
    const file = path.join(library.path, 'swapped.dcm');
    expect(spawnSync('mkfifo', [file]).status).toBe(0);
    expect(await processFile(request(file))).toEqual({
      path: file,
      sha256: null,
      outcome: 'skipped',
      reason: 'not a regular file (replaced since the folder was walked)',
    });
    fs.rmSync(file);
  });
});
