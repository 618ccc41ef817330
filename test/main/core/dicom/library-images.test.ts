import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../../../main/core/dicom/decode-frame.js';
import { readDicomMetadata } from '../../../../main/core/dicom/dicom-metadata.js';
import { parseDicomBytes } from '../../../../main/core/dicom/read-dicom.js';
import {
  fitWithin,
  thumbnailSide,
  padToSquare,
  renderLibraryImages,
  toBytes,
  toDisplayGray,
} from '../../../../main/core/dicom/render-image.js';
import { drawChest } from '../../../../main/demo/chest-phantom.js';
import { demoTransferSyntaxes, writeDicomFile } from '../../../../main/demo/dicom-writer.js';
import { SeededRandom } from '../../../../common/seeded-random.js';
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
    const fitted = fitWithin(toDisplayGray(frame, image!, parsed.dataSet), 256, true);
    const small = fitWithin(fitted, thumbnailSide(frame, 160));
    const rendered = renderLibraryImages(frame, image!, parsed.dataSet, 256, 160);
    expect(Buffer.compare(rendered.modelImage, padToSquare(fitted, 256))).toBe(0);
    expect([rendered.thumbnail.width, rendered.thumbnail.height]).toEqual([small.width, small.height]);
    expect(Buffer.compare(rendered.thumbnail.pixels, toBytes(small))).toBe(0);
    expect(new Set(rendered.thumbnail.pixels).size).toBeGreaterThan(1);
  });
});

describe('small images', () => {
  it('fill the model square (a 28-px digit is not left as a few patches in a black field); the thumbnail stays small', async () => {
    const size = 28;
    // A bright ring on black, the shape of a handwritten zero.
    const pixels = Uint16Array.from({ length: size * size }, (_, index) => {
      const [row, column] = [Math.floor(index / size), index % size];
      const radius = Math.hypot(row - 13.5, column - 13.5);
      return radius > 7 && radius < 11 ? 4095 : 0;
    });
    const small = { width: size, height: size, pixels, windowCenter: 2048, windowWidth: 4096 };
    const parsed = parseDicomBytes(
      await writeDicomFile(
        phantomFilmDataset(small, { Rows: size, Columns: size }),
        small,
        demoTransferSyntaxes.explicitLittleEndian,
      ),
    );
    const { image } = readDicomMetadata(parsed.dataSet);
    const frame = await decodeFrame(parsed, image!, 0);
    const rendered = renderLibraryImages(frame, image!, parsed.dataSet, 256, 160);
    const bright = [...rendered.modelImage.keys()].filter((index) => rendered.modelImage[index]! > 128);
    const rows = bright.map((index) => Math.floor(index / 256));
    // The ring spans 22 of 28 pixels: about 200 of 256 once enlarged.
    expect(Math.max(...rows) - Math.min(...rows)).toBeGreaterThan(180);
    expect([rendered.thumbnail.width, rendered.thumbnail.height]).toEqual([28, 28]);
  });
});

describe('PALETTE COLOR films', () => {
  it('are shown as the luminance of their palette, through the general path', async () => {
    // A 12-bit film whose palette maps each stored value to a ramp in red, the reverse in green and a constant in blue.
    const entries = 4096;
    const channel = (level: (value: number) => number) =>
      Uint16Array.from({ length: entries }, (_, value) => level(value)).buffer;
    const red = (value: number) => value * 16;
    const green = (value: number) => (entries - 1 - value) * 16;
    const blue = () => 30_000;
    const bytes = await writeDicomFile(
      phantomFilmDataset(phantom, {
        PhotometricInterpretation: 'PALETTE COLOR',
        RedPaletteColorLookupTableDescriptor: [entries, 0, 16],
        GreenPaletteColorLookupTableDescriptor: [entries, 0, 16],
        BluePaletteColorLookupTableDescriptor: [entries, 0, 16],
        RedPaletteColorLookupTableData: [channel(red)],
        GreenPaletteColorLookupTableData: [channel(green)],
        BluePaletteColorLookupTableData: [channel(blue)],
        // The descriptors may be US or SS and the tables US or OW (PS3.3 C.7.6.3); these are unsigned.
        _vrMap: Object.fromEntries(
          ['Red', 'Green', 'Blue'].flatMap((colour) => [
            [`${colour}PaletteColorLookupTableDescriptor`, 'US'],
            [`${colour}PaletteColorLookupTableData`, 'OW'],
          ]),
        ),
      }),
      phantom,
      demoTransferSyntaxes.explicitLittleEndian,
    );
    const parsed = parseDicomBytes(bytes);
    const { image } = readDicomMetadata(parsed.dataSet);
    const frame = await decodeFrame(parsed, image!, 0);
    expect(frame.photometricInterpretation).toBe('PALETTE COLOR');
    const gray = toDisplayGray(frame, image!, parsed.dataSet);
    for (const index of [0, 1000, 50_000, frame.values.length - 1]) {
      const value = frame.values[index]!;
      const expected = (0.299 * red(value) + 0.587 * green(value) + 0.114 * blue()) / 65535;
      expect(gray.values[index]).toBeCloseTo(expected, 5);
    }
    const rendered = renderLibraryImages(frame, image!, parsed.dataSet, 256, 160);
    expect(Buffer.compare(rendered.modelImage, padToSquare(fitWithin(gray, 256, true), 256))).toBe(0);
  });
});
