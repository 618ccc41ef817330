import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcessChannel } from '../../../../main/core/child-process/child-process-channel.js';
import { forkLauncher } from '../../../../main/core/child-process/fork-launcher.js';
import { importWorkerFile } from '../../../../main/core/install-paths.js';
import { FileWorkerPool, type WorkerPoolOptions } from '../../../../main/core/import/worker-pool.js';
import { element, monochromeImageElements, part10, text } from '../../../support/dicom-elements.js';
import { dicomFileRequest, listSampleFiles } from '../../../support/dicom-samples.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

describe('the import worker pool (real worker processes)', () => {
  const library = temporaryLibrary();
  afterAll(() => library.remove());
  const request = (file: string) => dicomFileRequest(library.path, file, 1 << 30);
  const sample = listSampleFiles().find((file) => file.endsWith('CT_small.dcm'))!;
  const started: ChildProcessChannel[] = [];
  const launch = forkLauncher({ entryFile: importWorkerFile, maxHeapMegabytes: 256 });
  const options = (overrides: Partial<WorkerPoolOptions>): WorkerPoolOptions => ({
    launchWorker: () => {
      const channel = launch();
      started.push(channel);
      return channel;
    },
    size: 1,
    timeoutMilliseconds: 30_000,
    queuedPerWorker: 1,
    memoryLimitBytes: 1 << 30,
    log: () => undefined,
    ...overrides,
  });

  it('fails a file that overruns its time with the reason, then carries on with a fresh worker', async () => {
    const pool = new FileWorkerPool(options({ timeoutMilliseconds: 1 }));
    try {
      const slow = await pool.run(request(sample));
      expect(slow).toMatchObject({ outcome: 'failed', reason: 'timed out after 0.001 s' });
    } finally {
      await pool.close();
    }
    const normal = new FileWorkerPool(options({ size: 2 }));
    try {
      const results = await Promise.all([
        normal.run(request(sample)),
        normal.run(request(sample)),
        normal.run(request(sample)),
      ]);
      for (const result of results) expect(result.outcome).toBe('image');
      const images = results as Array<Extract<(typeof results)[number], { outcome: 'image' }>>;
      // Each worker appends to its own pack: three images, two packs, no image overlapping another.
      expect(new Set(images.map((image) => image.modelImagePath)).size).toBe(2);
      const slots = new Set(images.map((image) => `${image.modelImagePath}@${image.modelImageOffset}`));
      expect(slots.size).toBe(3);
      for (const image of images)
        expect(fs.statSync(path.join(library.path, image.modelImagePath)).size).toBeGreaterThanOrEqual(
          image.modelImageOffset + 64 * 64,
        );
      const image = images[0]!;
      expect(image.metadata).toMatchObject({ modality: 'CT' });
      expect(image.image).toMatchObject({ rows: 128, columns: 128, bitsStored: 16 });
      expect(normal.peakResidentBytes()).toBeGreaterThan(2 * 20 * 1024 ** 2);
    } finally {
      await normal.close();
    }
  });

  it('fails only the file a worker dies on (as a crashing native decoder would); the files queued behind it are still done', async () => {
    started.length = 0;
    const pool = new FileWorkerPool(options({}));
    try {
      const first = pool.run(request(sample));
      const queued = [pool.run(request(sample)), pool.run(request(sample))];
      await new Promise((resolve) => setTimeout(resolve, 0));
      process.kill(started[0]!.processId!, 'SIGSEGV');
      expect(await first).toMatchObject({ outcome: 'failed', reason: 'worker ended by signal SIGSEGV' });
      for (const result of await Promise.all(queued)) expect(result.outcome).toBe('image');
      expect(started).toHaveLength(2);
    } finally {
      await pool.close();
    }
  });

  /** Writes the files into the library folder, runs `use` on a pool with that memory limit, then cleans both up. */
  async function withFilesAndPool(
    memoryLimitBytes: number,
    files: Record<string, Buffer>,
    use: (pool: FileWorkerPool, paths: string[]) => Promise<void>,
  ): Promise<void> {
    const paths = Object.entries(files).map(([name, bytes]) => {
      const file = path.join(library.path, name);
      fs.writeFileSync(file, bytes);
      return file;
    });
    started.length = 0;
    const pool = new FileWorkerPool(options({ memoryLimitBytes }));
    try {
      await use(pool, paths);
    } finally {
      await pool.close();
      for (const file of paths) fs.rmSync(file);
    }
  }

  it.skipIf(process.platform !== 'linux')(
    'ends a worker whose resident memory passes the limit on a large valid image, failing that file only',
    async () => {
      // An uncompressed 8192 × 8192 16-bit film: 128 MB of pixels, decoded into more; valid, only too large here.
      const limit = 256 * 1024 * 1024;
      await withFilesAndPool(limit, { 'large-film.dcm': largeFilm(8192) }, async (pool, [large]) => {
        const result = await pool.run(request(large!));
        expect(result).toMatchObject({
          outcome: 'failed',
          reason: 'needed more than 256 MB of memory (the limit of one import worker); not imported',
        });
        // Tried again in a fresh worker before it failed; each worker's peak, read every 50 ms, within 1.5× the limit.
        expect(started).toHaveLength(2);
        expect(pool.largestPeakResidentBytes()).toBeLessThan(1.5 * limit);
        expect((await pool.run(request(sample))).outcome).toBe('image');
      });
    },
  );

  it.skipIf(process.platform !== 'linux')(
    'ends a worker inflating a deflate bomb (1.6 MB that inflates to 1.5 GiB) within its memory limit',
    async () => {
      const limit = 256 * 1024 * 1024;
      await withFilesAndPool(limit, { 'deflate-bomb.dcm': deflateBomb(1536) }, async (pool, [bomb]) => {
        expect(fs.statSync(bomb!).size).toBeLessThan(2_000_000);
        expect(await pool.run(request(bomb!))).toMatchObject({
          outcome: 'failed',
          reason: 'needed more than 256 MB of memory (the limit of one import worker); not imported',
        });
        expect(pool.largestPeakResidentBytes()).toBeLessThan(1.5 * limit);
      });
    },
  );

  it.skipIf(process.platform !== 'linux')(
    'refuses, before decoding, a file whose estimated decode passes the memory budget, and one that inflates past it',
    async () => {
      // The memory watch is set far above the budget: only the checks before allocating can keep the peak low.
      const budget = 256 * 1024 * 1024;
      const files = { 'large-film-budget.dcm': largeFilm(8192), 'deflate-bomb-budget.dcm': deflateBomb(1536) };
      await withFilesAndPool(8 * budget, files, async (pool, [large, bomb]) => {
        expect(await pool.run(dicomFileRequest(library.path, large!, 1 << 30, budget))).toMatchObject({
          outcome: 'failed',
          reason: expect.stringMatching(
            /^decoding this 8192×8192×1 image would need about \d+ MB, more than one import worker may use \(256 MB\)/,
          ) as unknown,
        });
        expect(await pool.run(dicomFileRequest(library.path, bomb!, 1 << 30, budget))).toMatchObject({
          outcome: 'failed',
          reason: expect.stringMatching(/^deflated data set cannot be inflated: it inflates past 127 MB/) as unknown,
        });
        expect(started).toHaveLength(1);
        expect(pool.largestPeakResidentBytes()).toBeLessThan(1.5 * budget);
      });
    },
  );

  it.skipIf(process.platform !== 'linux')(
    "reports a worker's own peak memory, not the resident size of the process that started it",
    async () => {
      // Linux hands a parent's peak to the child it forks (getrusage's maxRSS survives fork and exec): a worker
      // started by a large process would report that process's size and look over its limit.
      const held = Buffer.alloc(512 * 1024 ** 2, 1);
      await withFilesAndPool(1 << 30, {}, async (pool) => {
        expect((await pool.run(request(sample))).outcome).toBe('image');
        expect(pool.largestPeakResidentBytes()).toBeGreaterThan(0);
        expect(pool.largestPeakResidentBytes()).toBeLessThan(held.length / 2);
      });
    },
  );

  it('starts a worker that died idle again only when there is work, not in a loop', async () => {
    started.length = 0;
    const logged: string[] = [];
    const pool = new FileWorkerPool(options({ log: (_stream, line) => logged.push(line) }));
    try {
      expect((await pool.run(request(sample))).outcome).toBe('image');
      process.kill(started[0]!.processId!, 'SIGKILL');
      await waitFor(() => logged.some((line) => line.includes('an idle import worker ended')));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(started).toHaveLength(1);
      expect((await pool.run(request(sample))).outcome).toBe('image');
      expect(started).toHaveLength(2);
    } finally {
      await pool.close();
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++)
    await new Promise((resolve) => setTimeout(resolve, 25));
  expect(condition()).toBe(true);
}

/** A Part-10 file (explicit VR little endian) holding one size × size 16-bit monochrome image of zeros. */
function largeFilm(size: number): Buffer {
  return part10(
    '1.2.840.10008.1.2.1',
    Buffer.concat([
      element(0x0008, 0x0016, 'UI', text('1.2.840.10008.5.1.4.1.1.1')),
      element(0x0008, 0x0018, 'UI', text('2.25.1234')),
      element(0x0020, 0x000d, 'UI', text('2.25.1235')),
      element(0x0020, 0x000e, 'UI', text('2.25.1236')),
      ...monochromeImageElements(size, size, size * size * 2),
    ]),
  );
}

/**
 * A Part-10 file in Deflated Explicit VR Little Endian whose data set inflates to `megabytes` MiB of zeros: raw
 * deflate streams of 1 MiB each, flushed but not final, concatenate into one valid stream.
 */
function deflateBomb(megabytes: number): Buffer {
  const piece = zlib.deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const pieces = Array.from({ length: megabytes }, () => piece);
  return part10('1.2.840.10008.1.2.1.99', Buffer.concat([...pieces, zlib.deflateRawSync(Buffer.alloc(0))]));
}
