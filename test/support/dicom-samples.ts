import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './serve-process.js';

/** Real DICOM files from published packages, kept with their licences (sources: test/fixtures/dicom/SOURCES.md). */
export const sampleDicomDirectory = path.join(projectRoot, 'test', 'fixtures', 'dicom');

export function listSampleFiles(directory = sampleDicomDirectory): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...listSampleFiles(full));
    else if (entry.isFile()) files.push(full);
  }
  return files.sort();
}

/** What the importer asks a worker for one DICOM file, with small renders so tests stay quick. */
export function dicomFileRequest(
  libraryPath: string,
  file: string,
  maximumFileBytes: number,
  memoryBudgetBytes = 2 * maximumFileBytes,
) {
  return {
    path: file,
    catalogPath: file,
    kind: 'dicom' as const,
    libraryPath,
    modelImageSize: 64,
    thumbnailSize: 32,
    maximumFileBytes,
    memoryBudgetBytes,
  };
}
