import fs from 'node:fs';

/** Files up to this size are read into one buffer kept for the next file; larger ones get a buffer of their own. */
const reusedBufferLimitBytes = 64 * 1024 ** 2;
let spare: Buffer | null = null;

/**
 * Reads a whole file and hands its bytes to `use`, which must not keep them after it settles. A fresh half-megabyte
 * buffer per file made the kernel fault in new pages on every read, which cost the importer's workers more than the
 * reads themselves (profiled); the buffer is borrowed, so concurrent callers each get their own.
 */
export async function withFileBytes<T>(file: string, use: (bytes: Buffer) => Promise<T>): Promise<T> {
  const descriptor = fs.openSync(file, 'r');
  let buffer: Buffer;
  let length = 0;
  try {
    const size = fs.fstatSync(descriptor).size;
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
