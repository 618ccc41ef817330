import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A pack is closed and a new one begun past this size, so no single cache file grows without bound. */
const packLimitBytes = 1024 ** 3;

interface OpenPack {
  relativePath: string;
  descriptor: number;
  bytes: number;
}

const packs = new Map<string, OpenPack>();

/** The name of every pack (relative to the library): the core accepts no other place from a worker. */
export const cachePackPath = /^cache[/\\]images[/\\][a-z0-9]+-[0-9]+-[0-9a-f]{8}\.pack$/;

/**
 * Appends bytes (a model image, a thumbnail) to a pack file this process owns in the library's cache and says where
 * they are. A file per image and per thumbnail made the kernel allocate inodes (and temporary ones to rename) for every
 * image, the most expensive and most variable part of an import after decoding (profiled with perf); packs need a
 * handful, and keep the catalog itself small. A pack is only ever appended to by the process that made it, and the
 * catalog points only at bytes whose write completed, so a killed worker leaves at most an unreferenced tail; its
 * successor starts a pack of its own.
 */
export function appendToPack(libraryPath: string, bytes: Uint8Array): { path: string; offset: number } {
  let pack = packs.get(libraryPath);
  if (!pack || pack.bytes + bytes.length > packLimitBytes) {
    if (pack) fs.closeSync(pack.descriptor);
    pack = openPack(libraryPath);
    packs.set(libraryPath, pack);
  }
  const offset = pack.bytes;
  let written = 0;
  while (written < bytes.length)
    written += fs.writeSync(pack.descriptor, bytes, written, bytes.length - written, offset + written);
  pack.bytes += bytes.length;
  return { path: pack.relativePath, offset };
}

function openPack(libraryPath: string): OpenPack {
  const relativePath = path.join(
    'cache',
    'images',
    `${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString('hex')}.pack`,
  );
  const file = path.join(libraryPath, relativePath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return { relativePath, descriptor: fs.openSync(file, 'wx'), bytes: 0 };
}
