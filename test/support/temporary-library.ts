import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh library folder per test, removed afterwards. */
export function temporaryLibrary(): { path: string; remove(): void } {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'unisight-test-'));
  return { path: directory, remove: () => fs.rmSync(directory, { recursive: true, force: true }) };
}
