import path from 'node:path';

/**
 * Bounds [from, to) that hold exactly the paths inside `folder` (at any depth) in text order, so a
 * `path >= from AND path < to` condition uses the index instead of a LIKE scan.
 */
export function pathRange(folder: string): [string, string] {
  return [`${folder}${path.sep}`, `${folder}${String.fromCharCode(path.sep.charCodeAt(0) + 1)}`];
}
