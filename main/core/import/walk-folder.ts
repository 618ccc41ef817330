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
  if (operatingSystemFiles.has(lower) || lower.startsWith('._')) return { kind: 'junk', junkReason: 'operating-system metadata file' };
  if (sizeBytes === 0) return { kind: 'junk', junkReason: 'empty file' };
  if (lower === manifestFileName) return { kind: 'manifest' };
  const extension = path.extname(lower);
  if (extension === '.txt') return { kind: 'report-text' };
  if (tableExtensions.has(extension)) return { kind: 'table' };
  // Everything else is judged by its content (the DICM marker or a recognisable data set), never its name.
  return { kind: 'dicom' };
}

/**
 * Every regular file under `root`, depth first in name order. Symbolic links are followed, but each real directory
 * is entered once, so link loops end; unreadable directories are reported, not fatal.
 */
export function* walkFolder(root: string, onUnreadable: (directory: string, reason: string) => void = () => undefined): Generator<WalkedFile> {
  const visited = new Set<string>();
  const stack = [path.resolve(root)];
  while (stack.length > 0) {
    const directory = stack.pop()!;
    let real: string;
    let entries: fs.Dirent[];
    try {
      real = fs.realpathSync(directory);
      if (visited.has(real)) continue;
      visited.add(real);
      entries = fs.readdirSync(directory, { withFileTypes: true }).sort((left, right) => (left.name < right.name ? 1 : -1));
    } catch (error) {
      onUnreadable(directory, (error as Error).message);
      continue;
    }
    for (const entry of entries) {
      const full = path.join(directory, entry.name);
      let stats: fs.Stats;
      try {
        stats = fs.statSync(full);
      } catch {
        continue;
      }
      if (stats.isDirectory()) stack.push(full);
      else if (stats.isFile()) yield { path: full, sizeBytes: stats.size, modifiedMs: Math.floor(stats.mtimeMs), ...classify(entry.name, stats.size) };
    }
  }
}
