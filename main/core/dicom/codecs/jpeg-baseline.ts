import { decodeWithWasmCodec, type DecodedCodecFrame } from './wasm-codec.js';

/** JPEG baseline 8-bit (libjpeg-turbo); three-component images come back as RGB. */
export const decodeJpegBaseline = (encoded: Uint8Array): Promise<DecodedCodecFrame> =>
  decodeWithWasmCodec('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', 'JPEGDecoder', encoded);

const adobeNoTransform = Uint8Array.from([
  0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

/**
 * When DICOM says Photometric Interpretation RGB, the JPEG components are R, G, B with no colour transform (PS3.5
 * 8.2.1). libjpeg assumes YCbCr unless a JFIF or Adobe marker says otherwise, so add an Adobe APP14 marker with
 * transform 0 to streams that carry neither. Streams that already declare themselves are left as they are.
 */
export function markAsUntransformedRgb(encoded: Uint8Array): Uint8Array {
  if (encoded[0] !== 0xff || encoded[1] !== 0xd8) return encoded;
  let position = 2;
  while (position + 4 <= encoded.length && encoded[position] === 0xff) {
    const marker = encoded[position + 1]!;
    if (marker === 0xe0 || marker === 0xee) return encoded;
    if (marker === 0xda || marker === 0xd9) break;
    position += 2 + ((encoded[position + 2]! << 8) | encoded[position + 3]!);
  }
  const marked = new Uint8Array(encoded.length + adobeNoTransform.length);
  marked.set(encoded.subarray(0, 2), 0);
  marked.set(adobeNoTransform, 2);
  marked.set(encoded.subarray(2), 2 + adobeNoTransform.length);
  return marked;
}
