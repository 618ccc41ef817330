import dicomParser from 'dicom-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeJpeg2000, useNativeJpeg2000 } from '../../../../main/core/dicom/codecs/native-jpeg-2000.js';
import { codestreamHeader } from '../../../../main/core/dicom/codecs/wavelet-levels.js';
import { decodeFrame, type DecodedFrame } from '../../../../main/core/dicom/decode-frame.js';
import { readDicomMetadata } from '../../../../main/core/dicom/dicom-metadata.js';
import { parseDicomBytes, type ParsedDicom } from '../../../../main/core/dicom/read-dicom.js';
import { renderLibraryImages, type LibraryImages } from '../../../../main/core/dicom/render-image.js';
import { drawChest } from '../../../../main/demo/chest-phantom.js';
import { demoTransferSyntaxes, writeDicomFile, type DemoTransferSyntax } from '../../../../main/demo/dicom-writer.js';
import { enlargeFilm } from '../../../../main/demo/film-size.js';
import { SeededRandom } from '../../../../common/seeded-random.js';
import { skipUnless } from '../../../support/outside-tools.js';
import { phantomFilmDataset } from '../../../support/phantom-film.js';

// A detector-sized film (noise at the full pixel pitch, as demo-data --film-size writes it), 1,100 px wide: two
// resolution levels down (275 px) still covers a 256-px model image, three (138 px) do not.
const film = enlargeFilm(
  drawChest(new SeededRandom('reduced-resolution'), [
    { name: 'effusion', side: 'right', zone: 'lower', severity: 0.6 },
    { name: 'nodule', side: 'left', zone: 'upper', severity: 0.8 },
  ]),
  1100,
  new SeededRandom('reduced-resolution:film'),
);
const dataset = phantomFilmDataset(film, { WindowCenter: '2048', WindowWidth: '4096' });

async function filmAs(syntax: DemoTransferSyntax): Promise<ParsedDicom> {
  return parseDicomBytes(await writeDicomFile(dataset, film, syntax));
}

function render(parsed: ParsedDicom, frame: DecodedFrame): LibraryImages {
  return renderLibraryImages(frame, readDicomMetadata(parsed.dataSet).image!, parsed.dataSet, 256, 160);
}

/** Mean and largest absolute difference of two equally sized 8-bit images. */
function difference(left: Uint8Array, right: Uint8Array): { mean: number; largest: number } {
  expect(left.length).toBe(right.length);
  let total = 0;
  let largest = 0;
  for (let index = 0; index < left.length; index++) {
    const gap = Math.abs(left[index]! - right[index]!);
    total += gap;
    largest = Math.max(largest, gap);
  }
  return { mean: total / left.length, largest };
}

const encodedFrame = (parsed: ParsedDicom): Uint8Array =>
  dicomParser.readEncapsulatedPixelDataFromFragments(parsed.dataSet, parsed.dataSet.elements.x7fe00010!, 0, 1);

describe.each([
  ['JPEG 2000', demoTransferSyntaxes.jpeg2000Lossless],
  ['HTJ2K', demoTransferSyntaxes.htj2kLossless],
])('%s decoded at a lower resolution level', (_name, syntax) => {
  let parsed: ParsedDicom;
  let image: NonNullable<ReturnType<typeof readDicomMetadata>['image']>;
  let full: DecodedFrame;
  beforeAll(async () => {
    parsed = await filmAs(syntax);
    image = readDicomMetadata(parsed.dataSet).image!;
    full = await decodeFrame(parsed, image, 0);
  });

  it('stops at the lowest level that still has the needed longer side', async () => {
    expect([full.width, full.height]).toEqual([film.width, film.height]);
    for (const [needed, halvings] of [
      [256, 2],
      [512, 1],
      [1100, 0],
      [4000, 0],
    ] as const) {
      const reduced = await decodeFrame(parsed, image, 0, { neededLongerSide: needed });
      expect({ needed, size: [reduced.width, reduced.height] }).toEqual({
        needed,
        size: [Math.ceil(film.width / 2 ** halvings), Math.ceil(film.height / 2 ** halvings)],
      });
      expect(reduced.values.length).toBe(reduced.width * reduced.height);
    }
  });

  it('gives the catalog images of a full decode and the same resize, within a lossy codec’s tolerance', async () => {
    const fromFull = render(parsed, full);
    for (const [needed, tolerance] of [
      // What the importer asks for (twice the model image): the final resize still does the anti-aliasing.
      [512, { mean: 1, largest: 12 }],
      // The bare minimum: the wavelet's own low-pass does most of the shrinking.
      [256, { mean: 1.5, largest: 20 }],
    ] as const) {
      const fromReduced = render(parsed, await decodeFrame(parsed, image, 0, { neededLongerSide: needed }));
      expect([fromReduced.thumbnail.width, fromReduced.thumbnail.height]).toEqual([
        fromFull.thumbnail.width,
        fromFull.thumbnail.height,
      ]);
      for (const [what, gap] of [
        ['model image', difference(fromReduced.modelImage, fromFull.modelImage)],
        ['thumbnail', difference(fromReduced.thumbnail.pixels, fromFull.thumbnail.pixels)],
      ] as const) {
        expect({ needed, what, withinMean: gap.mean <= tolerance.mean }).toEqual({ needed, what, withinMean: true });
        expect({ needed, what, withinLargest: gap.largest <= tolerance.largest }).toEqual({
          needed,
          what,
          withinLargest: true,
        });
      }
    }
    // A wrong level, size or sample order would not be a few grey levels off: the film itself must be there.
    expect(new Set(fromFull.modelImage).size).toBeGreaterThan(100);
  });

  it('reads the levels and size from the main header without decoding', () => {
    expect(codestreamHeader(encodedFrame(parsed))).toEqual({
      width: film.width,
      height: film.height,
      offsetOrigin: false,
      levels: 5,
    });
  });
});

describe('codestream headers', () => {
  it('finds the codestream inside a JP2 file and refuses what is not one', async () => {
    const codestream = encodedFrame(await filmAs(demoTransferSyntaxes.jpeg2000Lossless));
    const box = (type: string, body: Uint8Array) => {
      const bytes = new Uint8Array(8 + body.length);
      new DataView(bytes.buffer).setUint32(0, bytes.length);
      bytes.set(Buffer.from(type, 'latin1'), 4);
      bytes.set(body, 8);
      return bytes;
    };
    const jp2 = Buffer.concat([
      box('jP  ', Uint8Array.from([0x0d, 0x0a, 0x87, 0x0a])),
      box('ftyp', Buffer.from('jp2 \0\0\0\0jp2 ', 'latin1')),
      box('jp2c', codestream),
    ]);
    expect(codestreamHeader(jp2)).toMatchObject({ width: film.width, height: film.height, levels: 5 });
    expect(codestreamHeader(new Uint8Array(64).fill(0xff))).toBeNull();
    expect(codestreamHeader(codestream.subarray(0, 20))).toBeNull();
    expect(codestreamHeader(new Uint8Array(0))).toBeNull();
  });

  it('leaves codecs without resolution levels at full size', async () => {
    for (const syntax of [demoTransferSyntaxes.jpegLsLossless, demoTransferSyntaxes.rle]) {
      const parsed = await filmAs(syntax);
      const frame = await decodeFrame(parsed, readDicomMetadata(parsed.dataSet).image!, 0, { neededLongerSide: 256 });
      expect([frame.width, frame.height]).toEqual([film.width, film.height]);
    }
  });
});

const native = loadNativeJpeg2000();
const nativeUnavailable = skipUnless(
  'native JPEG 2000 at a lower resolution (reduced-resolution.test.ts)',
  { description: 'the native jpeg-2000 addon', remedy: 'apt install gcc libopenjp2-7-dev, then npm run build:native' },
  'unavailable' in native ? native.unavailable : null,
);

describe.skipIf(nativeUnavailable !== null)('the system OpenJPEG at a lower resolution', () => {
  it('decodes the same level to exactly the samples the WebAssembly build gives', async () => {
    const parsed = await filmAs(demoTransferSyntaxes.jpeg2000Lossless);
    const image = readDicomMetadata(parsed.dataSet).image!;
    const webAssembly = await decodeFrame(parsed, image, 0, { neededLongerSide: 256 });
    expect(useNativeJpeg2000().route).toBe('native');
    const system = await decodeFrame(parsed, image, 0, { neededLongerSide: 256 });
    expect([system.width, system.height]).toEqual([webAssembly.width, webAssembly.height]);
    const bytes = (frame: DecodedFrame) =>
      Buffer.from(frame.values.buffer, frame.values.byteOffset, frame.values.byteLength);
    expect(Buffer.compare(bytes(system), bytes(webAssembly))).toBe(0);
  });
});
