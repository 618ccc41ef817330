import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './serve-process.js';

/** The real sample files in ../shared/data/dicom (sources and licences: ../shared/data/dicom/SOURCES.md). */
export const sharedDicomDirectory = path.resolve(projectRoot, '..', 'shared', 'data', 'dicom');

export function listSampleFiles(directory = sharedDicomDirectory): string[] {
  if (!fs.existsSync(directory)) return [];
  const files: string[] = [];
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...listSampleFiles(full));
    else if (entry.isFile()) files.push(full);
  }
  return files.sort();
}
