import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDicomMetadata } from '../../../../main/core/dicom/dicom-metadata.js';
import { parseDicomBytes } from '../../../../main/core/dicom/read-dicom.js';
import { sampleDicomDirectory } from '../../../support/dicom-samples.js';

const charsetFiles = path.join(sampleDicomDirectory, 'debian-python3-pydicom-2.3.1-1', 'charset_files');

// Expected names as pydicom's own tests decode these files (FileInfo.txt lists their raw bytes).
const expectedNames: Record<string, string> = {
  'chrArab.dcm': 'قباني^لنزار',
  'chrFren.dcm': 'Buc^Jérôme',
  'chrGerm.dcm': 'Äneas^Rüdiger',
  'chrGreek.dcm': 'Διονυσιος',
  'chrH31.dcm': 'Yamada^Tarou=山田^太郎=やまだ^たろう',
  'chrH32.dcm': 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう',
  'chrHbrw.dcm': 'שרון^דבורה',
  'chrI2.dcm': 'Hong^Gildong=洪^吉洞=홍^길동',
  'chrRuss.dcm': 'Люкceмбypг',
  'chrX1.dcm': 'Wang^XiaoDong=王^小東=',
  'chrX2.dcm': 'Wang^XiaoDong=王^小东=',
};

describe.skipIf(!fs.existsSync(charsetFiles))('patient names in their declared character sets', () => {
  it.each(Object.entries(expectedNames))('%s', (file, name) => {
    const metadata = readDicomMetadata(parseDicomBytes(fs.readFileSync(path.join(charsetFiles, file))).dataSet);
    expect(metadata.patientName).toBe(name);
  });
});
