import fs from 'node:fs';

/** Files up to this size are read into one buffer kept for the next file; larger ones get a buffer of their own. */
const reusedBufferLimitBytes = 64 * 1024 ** 2;
let spare: Buffer | null = null;

/** Why a file is not read: it is empty, too large, or (replaced since the walk) no regular file any more. */
export class UnreadFileError extends Error {}

/**
 * Reads a whole file and hands its bytes to `use`, which must not keep them after it settles. The size and kind that
 * count are those of the open file (fstat), not of an earlier look at its name, so a file swapped since the walk for
 * a pipe or a larger file is refused, never waited on or read past the limit. A fresh half-megabyte buffer per file
 * made the kernel fault in new pages on every read, which cost the importer's workers more than the reads themselves
 * (profiled); the buffer is borrowed, so concurrent callers each get their own.
 */
export async function withFileBytes<T>(
  file: string,
  maximumBytes: number,
  use: (bytes: Buffer) => Promise<T>,
): Promise<T> {
  const descriptor = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  let buffer: Buffer;
  let length = 0;
  try {
    const stats = fs.fstatSync(descriptor);
    if (!stats.isFile()) throw new UnreadFileError('not a regular file (replaced since the folder was walked)');
    const size = stats.size;
    if (size === 0) throw new UnreadFileError('empty file');
    if (size >= maximumBytes)
      throw new UnreadFileError(`${size} bytes, more than an import worker may hold (${maximumBytes - 1})`);
    buffer =
      spare && spare.length >= size
        ? spare
        : Buffer.allocUnsafe(size <= reusedBufferLimitBytes ? Math.max(size, 1 << 20) : size);
    if (buffer === spare) spare = null;
    while (length < size) {
      const read = fs.readSync(descriptor, buffer, length, size - length, length);
      if (read === 0) break;
      length += read;
    }
  } finally {
    fs.closeSync(descriptor);
  }
  try {
    return await use(buffer.subarray(0, length));
  } finally {
    if (buffer.length <= reusedBufferLimitBytes && (!spare || spare.length < buffer.length)) spare = buffer;
  }
}
