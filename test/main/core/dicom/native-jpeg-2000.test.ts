import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { loadNativeJpeg2000, useNativeJpeg2000 } from '../../../../main/core/dicom/codecs/native-jpeg-2000.js';
import { decodeFrame, type StoredSamples } from '../../../../main/core/dicom/decode-frame.js';
import { readDicomMetadata } from '../../../../main/core/dicom/dicom-metadata.js';
import { DicomImportError, parseDicomBytes } from '../../../../main/core/dicom/read-dicom.js';
import { transferSyntax } from '../../../../main/core/dicom/transfer-syntaxes.js';
import { drawChest } from '../../../../main/demo/chest-phantom.js';
import { demoTransferSyntaxes, writeDicomFile } from '../../../../main/demo/dicom-writer.js';
import { SeededRandom } from '../../../../common/seeded-random.js';
import { listSampleFiles, sampleDicomDirectory } from '../../../support/dicom-samples.js';
import { skipUnless } from '../../../support/outside-tools.js';
import { phantomFilmDataset } from '../../../support/phantom-film.js';

const loaded = loadNativeJpeg2000();
const unavailable = skipUnless(
  'native JPEG 2000 (native-jpeg-2000.test.ts)',
  { description: 'the native jpeg-2000 addon', remedy: 'apt install gcc libopenjp2-7-dev, then npm run build:native' },
  'unavailable' in loaded ? loaded.unavailable : null,
);

const phantom = drawChest(new SeededRandom('native-jpeg-2000'), [
  { name: 'effusion', side: 'right', zone: 'lower', severity: 0.6 },
]);
const phantomDataset = phantomFilmDataset(phantom);

/** Every JPEG 2000 file among the real samples, and one the demo generator writes. */
async function codedFiles(): Promise<Array<{ name: string; bytes: Uint8Array }>> {
  const files: Array<{ name: string; bytes: Uint8Array }> = [];
  for (const file of listSampleFiles()) {
    const bytes = fs.readFileSync(file);
    try {
      const codec = transferSyntax(parseDicomBytes(bytes).transferSyntaxUid)?.codec;
      if (codec === 'jpeg-2000') files.push({ name: path.relative(sampleDicomDirectory, file), bytes });
    } catch (error) {
      if (!(error instanceof DicomImportError)) throw error;
    }
  }
  files.push({
    name: 'generated film',
    bytes: await writeDicomFile(phantomDataset, phantom, demoTransferSyntaxes.jpeg2000Lossless),
  });
  return files;
}

async function decodeAll(
  files: Array<{ name: string; bytes: Uint8Array }>,
): Promise<Map<string, StoredSamples | string>> {
  const decoded = new Map<string, StoredSamples | string>();
  for (const file of files) {
    const parsed = parseDicomBytes(file.bytes);
    const metadata = readDicomMetadata(parsed.dataSet);
    try {
      decoded.set(file.name, (await decodeFrame(parsed, metadata.image!, 0)).values);
    } catch (error) {
      decoded.set(file.name, `failed: ${(error as Error).message}`);
    }
  }
  return decoded;
}

function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): string | null {
  if (actual.length !== expected.length) return `${actual.length} values, expected ${expected.length}`;
  for (let index = 0; index < actual.length; index++) {
    if (actual[index] !== expected[index]) return `value ${index} is ${actual[index]}, expected ${expected[index]}`;
  }
  return null;
}

describe.skipIf(unavailable !== null)('native JPEG 2000 (the system OpenJPEG)', () => {
  const native = 'decoder' in loaded ? loaded.decoder : null;

  it('decodes every sample to exactly what the WebAssembly build gives', async () => {
    const files = await codedFiles();
    expect(files.length).toBeGreaterThanOrEqual(9);
    const webAssembly = await decodeAll(files);
    expect(useNativeJpeg2000().route).toBe('native');
    const native = await decodeAll(files);
    for (const file of files) {
      const expected = webAssembly.get(file.name)!;
      const actual = native.get(file.name)!;
      // A file both refuse may be refused in different words (the native codec names the broken marker).
      if (typeof expected === 'string' || typeof actual === 'string') {
        expect({ file: file.name, failed: typeof actual === 'string' }).toEqual({
          file: file.name,
          failed: typeof expected === 'string',
        });
        continue;
      }
      expect({ file: file.name, firstDifference: firstDifference(actual, expected) }).toEqual({
        file: file.name,
        firstDifference: null,
      });
    }
    expect([...webAssembly.values()].filter((values) => typeof values !== 'string').length).toBeGreaterThanOrEqual(8);
  });

  it('refuses a stream whose header disagrees with the DICOM size before decoding, and garbage with the codec error', async () => {
    const bytes = await writeDicomFile(phantomDataset, phantom, demoTransferSyntaxes.jpeg2000Lossless);
    const parsed = parseDicomBytes(bytes);
    const frame = dicomParser.readEncapsulatedPixelDataFromFragments(
      parsed.dataSet,
      parsed.dataSet.elements.x7fe00010!,
      0,
      1,
    );
    expect(() => native!.decodeJpeg2000(frame, 60000, 60000, 1)).toThrow(
      `JPEG 2000 stream is ${phantom.width}×${phantom.height}×1, the DICOM header says 60000×60000×1`,
    );
    expect(() => native!.decodeJpeg2000(frame, phantom.width, phantom.height, 3)).toThrow(
      /the DICOM header says .*×3$/,
    );
    expect(() => native!.decodeJpeg2000(frame.subarray(0, 200), phantom.width, phantom.height, 1)).toThrow(
      /^JPEG 2000/,
    );
    expect(() => native!.decodeJpeg2000(new Uint8Array(64).fill(0xff), 8, 8, 1)).toThrow(/^JPEG 2000 header/);
  });
});
