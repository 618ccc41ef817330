import fs from 'node:fs';
import path from 'node:path';

export type WalkedFileKind = 'dicom' | 'report-text' | 'table' | 'manifest' | 'junk';

export interface WalkedFile {
  path: string;
  sizeBytes: number;
  modifiedMs: number;
  kind: WalkedFileKind;
  junkReason?: string;
}

export const manifestFileName = 'unisight-manifest.json';

const operatingSystemFiles = new Set(['.ds_store', 'thumbs.db', 'desktop.ini', '.directory', 'icon\r']);
const tableExtensions = new Set(['.csv', '.tsv', '.jsonl', '.ndjson']);

function classify(name: string, sizeBytes: number): Pick<WalkedFile, 'kind' | 'junkReason'> {
  const lower = name.toLowerCase();
  if (operatingSystemFiles.has(lower) || lower.startsWith('._'))
    return { kind: 'junk', junkReason: 'operating-system metadata file' };
  if (sizeBytes === 0) return { kind: 'junk', junkReason: 'empty file' };
  if (lower === manifestFileName) return { kind: 'manifest' };
  const extension = path.extname(lower);
  if (extension === '.txt') return { kind: 'report-text' };
  if (tableExtensions.has(extension)) return { kind: 'table' };
  // Everything else is judged by its content (the DICM marker or a recognisable data set), never its name.
  return { kind: 'dicom' };
}

/**
 * Every regular file under `root`, depth first in name order. Symbolic links are followed, but each directory (known
 * by device and inode, which the stat of its entry already gives) is entered once, so link loops end; unreadable
 * directories are reported, not fatal.
 */
export function* walkFolder(
  root: string,
  onUnreadable: (directory: string, reason: string) => void = () => undefined,
): Generator<WalkedFile> {
  const start = path.resolve(root);
  const visited = new Set<string>();
  try {
    visited.add(directoryKey(fs.statSync(start)));
  } catch (error) {
    onUnreadable(start, (error as Error).message);
    return;
  }
  const stack = [start];
  while (stack.length > 0) {
    const directory = stack.pop()!;
    let names: string[];
    try {
      names = fs.readdirSync(directory).sort((left, right) => (left < right ? 1 : -1));
    } catch (error) {
      onUnreadable(directory, (error as Error).message);
      continue;
    }
    for (const name of names) {
      const full = path.join(directory, name);
      let stats: fs.Stats;
      try {
        stats = fs.statSync(full);
      } catch {
        continue;
      }
      if (stats.isDirectory()) {
        const key = directoryKey(stats);
        if (visited.has(key)) continue;
        visited.add(key);
        stack.push(full);
      } else if (stats.isFile()) {
        yield walkedFile(full, stats);
      }
    }
  }
}

function walkedFile(file: string, stats: fs.Stats): WalkedFile {
  return {
    path: file,
    sizeBytes: stats.size,
    modifiedMs: Math.floor(stats.mtimeMs),
    ...classify(path.basename(file), stats.size),
  };
}

/** One file as the walk would have found it, or null where it is gone or no regular file. */
export function walkedFileAt(file: string): WalkedFile | null {
  try {
    const stats = fs.statSync(file);
    return stats.isFile() ? walkedFile(file, stats) : null;
  } catch {
    return null;
  }
}

function directoryKey(stats: fs.Stats): string {
  return `${stats.dev}:${stats.ino}`;
}
