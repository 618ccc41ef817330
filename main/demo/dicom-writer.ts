import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import dcmjs from 'dcmjs';
import type { ChestImage } from './chest-phantom.js';

const require = createRequire(import.meta.url);
const { DicomDict, DicomMetaDictionary } = dcmjs.data;

export const demoTransferSyntaxes = {
  explicitLittleEndian: '1.2.840.10008.1.2.1',
  implicitLittleEndian: '1.2.840.10008.1.2',
  deflated: '1.2.840.10008.1.2.1.99',
  rle: '1.2.840.10008.1.2.5',
  jpegLsLossless: '1.2.840.10008.1.2.4.80',
  jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  htj2kLossless: '1.2.840.10008.1.2.4.201',
} as const;
export type DemoTransferSyntax = (typeof demoTransferSyntaxes)[keyof typeof demoTransferSyntaxes];

interface WasmEncoder {
  getDecodedBuffer(info: {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned: boolean;
    isUsingColorTransform?: boolean;
  }): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  encode(): void;
  setDecompositions?(count: number): void;
  delete?(): void;
}

const encoders = new Map<string, Promise<Record<string, new () => WasmEncoder>>>();

async function encodeWithWasm(
  moduleSpecifier: string,
  encoderClass: string,
  image: ChestImage,
  configure: (encoder: WasmEncoder) => void = () => undefined,
): Promise<Uint8Array> {
  let loading = encoders.get(moduleSpecifier);
  if (!loading) {
    loading = (require(moduleSpecifier) as (module: object) => Promise<Record<string, new () => WasmEncoder>>)({
      print: () => undefined,
      printErr: () => undefined,
    });
    encoders.set(moduleSpecifier, loading);
  }
  const encoder = new (await loading)[encoderClass]!();
  try {
    const raw = encoder.getDecodedBuffer({
      width: image.width,
      height: image.height,
      bitsPerSample: 12,
      componentCount: 1,
      isSigned: false,
      isUsingColorTransform: false,
    });
    raw.set(new Uint8Array(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength));
    configure(encoder);
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  } finally {
    encoder.delete?.();
  }
}

/** PackBits of one byte plane (DICOM PS3.5 G.3.1), padded to even length. */
function packBits(plane: Uint8Array): Uint8Array {
  const out: number[] = [];
  let index = 0;
  while (index < plane.length) {
    let run = 1;
    while (index + run < plane.length && run < 128 && plane[index + run] === plane[index]) run++;
    if (run >= 3) {
      out.push(257 - run, plane[index]!);
      index += run;
      continue;
    }
    const start = index;
    while (index < plane.length && index - start < 128) {
      if (index + 2 < plane.length && plane[index] === plane[index + 1] && plane[index] === plane[index + 2]) break;
      index++;
    }
    out.push(index - start - 1, ...plane.subarray(start, index));
  }
  if (out.length % 2) out.push(0x80);
  return Uint8Array.from(out);
}

/** RLE Lossless for 16-bit grayscale: two segments, high bytes then low bytes. */
export function encodeRle16(pixels: Uint16Array): Uint8Array {
  const high = new Uint8Array(pixels.length);
  const low = new Uint8Array(pixels.length);
  for (let index = 0; index < pixels.length; index++) {
    high[index] = pixels[index]! >> 8;
    low[index] = pixels[index]! & 0xff;
  }
  const segments = [packBits(high), packBits(low)];
  const header = new DataView(new ArrayBuffer(64));
  header.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((segment, index) => {
    header.setUint32(4 + 4 * index, offset, true);
    offset += segment.length;
  });
  const frame = new Uint8Array(offset);
  frame.set(new Uint8Array(header.buffer), 0);
  let position = 64;
  for (const segment of segments) {
    frame.set(segment, position);
    position += segment.length;
  }
  return frame;
}

async function encodePixelData(image: ChestImage, syntax: DemoTransferSyntax): Promise<ArrayBuffer> {
  const toBuffer = (bytes: Uint8Array): ArrayBuffer =>
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  switch (syntax) {
    case demoTransferSyntaxes.rle:
      return toBuffer(encodeRle16(image.pixels));
    case demoTransferSyntaxes.jpegLsLossless:
      return toBuffer(await encodeWithWasm('@cornerstonejs/codec-charls/wasmjs', 'JpegLSEncoder', image));
    case demoTransferSyntaxes.jpeg2000Lossless:
      return toBuffer(
        await encodeWithWasm('@cornerstonejs/codec-openjpeg/wasmjs', 'J2KEncoder', image, (encoder) =>
          encoder.setDecompositions?.(5),
        ),
      );
    case demoTransferSyntaxes.htj2kLossless:
      return toBuffer(await encodeWithWasm('@cornerstonejs/codec-openjph/wasmjs', 'HTJ2KEncoder', image));
    default:
      return toBuffer(new Uint8Array(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength));
  }
}

function meta(dataset: Record<string, unknown>, syntax: string): Record<string, unknown> {
  return DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: syntax,
    ImplementationClassUID: '2.25.133791520498226395425530437196390917374',
    ImplementationVersionName: 'UNISIGHT_DEMO',
  });
}

/** A Part-10 file of the dataset with the image's pixels in the given transfer syntax. */
export async function writeDicomFile(
  dataset: Record<string, unknown>,
  image: ChestImage,
  syntax: DemoTransferSyntax,
): Promise<Uint8Array> {
  const encapsulated = ![
    demoTransferSyntaxes.explicitLittleEndian,
    demoTransferSyntaxes.implicitLittleEndian,
    demoTransferSyntaxes.deflated,
  ].includes(syntax as never);
  const givenVrs = (dataset._vrMap ?? {}) as Record<string, string>;
  const natural = {
    ...dataset,
    PixelData: [await encodePixelData(image, syntax)],
    _vrMap: { ...givenVrs, PixelData: encapsulated ? 'OB' : 'OW' },
  };
  const body = DicomMetaDictionary.denaturalizeDataset(natural);
  if (syntax !== demoTransferSyntaxes.deflated) {
    const file = new DicomDict(meta(dataset, syntax));
    file.dict = body;
    return new Uint8Array(file.write({ fragmentMultiframe: false }));
  }
  // dcmjs does not compress: write the data set explicit little endian and deflate everything after the meta header.
  const header = new DicomDict(meta(dataset, syntax));
  header.dict = {};
  const headerBytes = new Uint8Array(header.write());
  const plain = new DicomDict(meta(dataset, demoTransferSyntaxes.explicitLittleEndian));
  plain.dict = body;
  const plainBytes = new Uint8Array(plain.write());
  const metaLength = 12 + new DataView(plainBytes.buffer, plainBytes.byteOffset + 140, 4).getUint32(0, true);
  const deflated = zlib.deflateRawSync(plainBytes.subarray(132 + metaLength), { level: 6 });
  const result = new Uint8Array(headerBytes.length + deflated.length);
  result.set(headerBytes, 0);
  result.set(deflated, headerBytes.length);
  return result;
}
