import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../../../main/core/dicom/decode-frame.js';
import { readDicomMetadata } from '../../../../main/core/dicom/dicom-metadata.js';
import { parseDicomBytes } from '../../../../main/core/dicom/read-dicom.js';
import { fitWithin, padToSquare, renderLibraryImages, toBytes, toDisplayGray } from '../../../../main/core/dicom/render-image.js';
import { drawChest } from '../../../../main/demo/chest-phantom.js';
import { demoTransferSyntaxes, writeDicomFile } from '../../../../main/demo/dicom-writer.js';
import { SeededRandom } from '../../../../main/demo/seeded-random.js';
import { sampleDicomDirectory } from '../../../support/dicom-samples.js';
import { phantomFilmDataset } from '../../../support/phantom-film.js';

const phantom = drawChest(new SeededRandom('library-images'), []);
const phantomFile = (photometric: string, window: boolean) =>
  writeDicomFile(
    phantomFilmDataset(phantom, {
      PhotometricInterpretation: photometric,
      RescaleSlope: '2',
      RescaleIntercept: '-100',
      ...(window ? { WindowCenter: '3000', WindowWidth: '5000' } : {}),
    }),
    phantom,
    demoTransferSyntaxes.explicitLittleEndian,
  );

// Real samples of each kind the one-pass path must agree on: signed CT, an image smaller than the model size, 8-bit at
// 512 px, and colour (which takes the general path); MONOCHROME1 and the automatic window come from generated films.
const samples = [
  'debian-python3-pydicom-2.3.1-1/test_files/CT_small.dcm',
  'debian-python3-pydicom-2.3.1-1/test_files/MR_small.dcm',
  'debian-python3-pydicom-2.3.1-1/test_files/image_dfl.dcm',
  'debian-python3-pydicom-2.3.1-1/test_files/SC_rgb_small_odd.dcm',
];

describe('the catalog images of a frame (model image and thumbnail)', () => {
  it.each([
    ...samples.map((name) => [name, async () => fs.readFileSync(path.join(sampleDicomDirectory, name))] as const),
    ['generated MONOCHROME1 film with a window', () => phantomFile('MONOCHROME1', true)] as const,
    ['generated MONOCHROME2 film without a window', () => phantomFile('MONOCHROME2', false)] as const,
  ])('%s: the one-pass WebAssembly path gives exactly the step-by-step images', async (_name, read) => {
    const parsed = parseDicomBytes(await read());
    const { image } = readDicomMetadata(parsed.dataSet);
    const frame = await decodeFrame(parsed, image!, 0);
    const fitted = fitWithin(toDisplayGray(frame, image!, parsed.dataSet), 256);
    const small = fitWithin(fitted, 160);
    const rendered = renderLibraryImages(frame, image!, parsed.dataSet, 256, 160);
    expect(Buffer.compare(rendered.modelImage, padToSquare(fitted, 256))).toBe(0);
    expect([rendered.thumbnail.width, rendered.thumbnail.height]).toEqual([small.width, small.height]);
    expect(Buffer.compare(rendered.thumbnail.pixels, toBytes(small))).toBe(0);
    expect(new Set(rendered.thumbnail.pixels).size).toBeGreaterThan(1);
  });
});
