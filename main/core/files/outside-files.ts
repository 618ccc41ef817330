import fs from 'node:fs';
import path from 'node:path';

/**
 * The one way to open a file named from outside: by a folder being imported (a manifest's table) or by an API
 * caller (a model to import, a report table). Such a name may be a FIFO, a device, a symbolic link out of the folder
 * or a huge file: opening never blocks (O_NONBLOCK, so a FIFO without a writer opens at once), only regular files are
 * read, and each kind of file has a size limit.
 */
export class OutsideFileError extends Error {}

function kindOf(stats: fs.Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MB`;

/** An open descriptor on a regular file of at most `maximumBytes`, with its size; the caller closes it. */
export function openRegularFile(
  file: string,
  what: string,
  maximumBytes: number,
): { descriptor: number; bytes: number } {
  let descriptor: number;
  try {
    descriptor = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : `cannot be opened (${code ?? (error as Error).message})`;
    throw new OutsideFileError(`${what} ${file} ${reason}.`, { cause: error });
  }
  try {
    const stats = fs.fstatSync(descriptor);
    if (!stats.isFile()) throw new OutsideFileError(`${what} ${file} is ${kindOf(stats)}, not a file.`);
    if (stats.size > maximumBytes)
      throw new OutsideFileError(
        `${what} ${file} is ${megabytes(stats.size)}, more than the ${megabytes(maximumBytes)} allowed.`,
      );
    return { descriptor, bytes: stats.size };
  } catch (error) {
    fs.closeSync(descriptor);
    throw error;
  }
}

/** The whole of a regular file of at most `maximumBytes` (see `openRegularFile`). */
export function readRegularFile(file: string, what: string, maximumBytes: number): Buffer {
  const { descriptor, bytes } = openRegularFile(file, what, maximumBytes);
  try {
    const buffer = Buffer.alloc(bytes);
    let filled = 0;
    // A file that shrinks while it is read ends early; one that grows is read to the size it had.
    while (filled < bytes) {
      const read = fs.readSync(descriptor, buffer, filled, bytes - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return buffer.subarray(0, filled);
  } finally {
    fs.closeSync(descriptor);
  }
}

/**
 * Copies a regular file of at most `maximumBytes` (see `openRegularFile`) to a new file `target`, from the descriptor
 * that was checked, in bounded pieces: the name may point elsewhere by the time it would be opened again.
 */
export function copyRegularFile(file: string, what: string, maximumBytes: number, target: string): number {
  const { descriptor, bytes } = openRegularFile(file, what, maximumBytes);
  try {
    const output = fs.openSync(target, 'wx');
    try {
      const piece = Buffer.allocUnsafe(Math.min(bytes, 4 * 1024 ** 2) || 1);
      let copied = 0;
      while (copied < bytes) {
        const read = fs.readSync(descriptor, piece, 0, Math.min(piece.length, bytes - copied), copied);
        if (read === 0) break;
        fs.writeSync(output, piece, 0, read);
        copied += read;
      }
      return copied;
    } finally {
      fs.closeSync(output);
    }
  } finally {
    fs.closeSync(descriptor);
  }
}

/**
 * Whether `candidate` lies below `folder` (both absolute, as resolved). By relative path, so a folder at a drive's or
 * file system's root (`E:\\`, `/`) works too.
 */
export function isInsideFolder(candidate: string, folder: string): boolean {
  const relative = path.relative(folder, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * `name` resolved inside `folder`, for paths a folder's own content names (a manifest's tables): absolute paths,
 * `..` and symbolic links that lead out of the folder are refused.
 */
export function pathInsideFolder(folder: string, name: string, what: string): string {
  const resolved = path.resolve(folder, name);
  const root = fs.realpathSync(folder);
  let real = path.resolve(root, name);
  try {
    real = fs.realpathSync(resolved);
  } catch {
    // A missing file is reported when it is opened; its name alone must still stay inside.
  }
  if (!isInsideFolder(resolved, path.resolve(folder)) || !isInsideFolder(real, root))
    throw new OutsideFileError(`${what} "${name}" is outside the imported folder; only files inside it are read.`);
  return resolved;
}
