import fs from 'node:fs';

/**
 * Up to `length` bytes at `offset` of a file (to its end when `length` is null): cached images and thumbnails sit at
 * places in pack files. Fewer bytes come back where the file ends sooner; a file that cannot be opened throws.
 */
export function readFileRange(file: string, offset: number, length: number | null): Buffer {
  const descriptor = fs.openSync(file, 'r');
  try {
    const bytes = Buffer.alloc(Math.max(0, length ?? fs.fstatSync(descriptor).size - offset));
    let read = 0;
    for (let chunk = -1; chunk !== 0 && read < bytes.length; read += chunk)
      chunk = fs.readSync(descriptor, bytes, read, bytes.length - read, offset + read);
    return bytes.subarray(0, read);
  } finally {
    fs.closeSync(descriptor);
  }
}
