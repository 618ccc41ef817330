import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importWorkerFile } from '../../../../main/core/install-paths.js';
import { FileWorkerPool } from '../../../../main/core/import/worker-pool.js';
import { listSampleFiles } from '../../../support/dicom-samples.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

describe('the import worker pool (real worker threads)', () => {
  const library = temporaryLibrary();
  afterAll(() => library.remove());
  const request = (file: string) => ({ path: file, kind: 'dicom' as const, libraryPath: library.path, modelImageSize: 64, thumbnailSize: 32, maximumFileBytes: 1 << 30 });
  const sample = listSampleFiles().find((file) => file.endsWith('CT_small.dcm'))!;

  it('fails a file that overruns its time with the reason, then carries on with a fresh worker', async () => {
    const pool = new FileWorkerPool({ entryFile: importWorkerFile, size: 1, timeoutMilliseconds: 1, maximumHeapMegabytes: 256 });
    try {
      const slow = await pool.run(request(sample));
      expect(slow).toMatchObject({ outcome: 'failed', reason: 'timed out after 0.001 s' });
    } finally {
      await pool.close();
    }
    const normal = new FileWorkerPool({ entryFile: importWorkerFile, size: 2, timeoutMilliseconds: 30_000, maximumHeapMegabytes: 256 });
    try {
      const results = await Promise.all([normal.run(request(sample)), normal.run(request(sample))]);
      for (const result of results) expect(result.outcome).toBe('image');
      const image = results[0] as Extract<(typeof results)[number], { outcome: 'image' }>;
      expect(fs.statSync(path.join(library.path, image.modelImagePath)).size).toBe(64 * 64);
      expect(image.metadata).toMatchObject({ modality: 'CT' });
      expect(image.image).toMatchObject({ rows: 128, columns: 128, bitsStored: 16 });
    } finally {
      await normal.close();
    }
  });
});
