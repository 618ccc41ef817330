import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../../api/api-error.js';
import type { FolderListing } from '../../../common/contract/index.js';

/** More subfolders than this in one folder are cut off (the listing says so): a picker, not a file manager. */
const maximumFolders = 5000;

/**
 * The subfolders of a folder on this machine, for picking an import folder where no operating-system dialog exists
 * (browser mode). Folders only, each with the path this machine's separators spell; hidden folders are left out; a
 * link to a folder counts as a folder.
 */
export function listFolders(requested: string | undefined): FolderListing {
  const folder = path.resolve(requested ?? os.homedir());
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'ENOTDIR'
          ? 'is not a folder'
          : code === 'EACCES' || code === 'EPERM'
            ? 'cannot be read (permission denied)'
            : `cannot be read (${code ?? String(error)})`;
    throw new ApiError('invalid-input', `${folder} ${why}.`);
  }
  const folders = entries
    .filter((entry) => !entry.name.startsWith('.') && isFolder(folder, entry))
    .map((entry) => ({ name: entry.name, path: path.join(folder, entry.name) }))
    .sort((left, right) => left.name.localeCompare(right.name, undefined, { numeric: true }));
  const parent = path.dirname(folder);
  return {
    folder,
    parent: parent === folder ? null : parent,
    home: os.homedir(),
    folders: folders.slice(0, maximumFolders),
    truncated: folders.length > maximumFolders,
  };
}

function isFolder(folder: string, entry: fs.Dirent): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return fs.statSync(path.join(folder, entry.name)).isDirectory();
  } catch {
    return false;
  }
}
