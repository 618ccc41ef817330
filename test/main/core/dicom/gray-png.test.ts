import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { encodeGrayPng } from '../../../../main/core/dicom/gray-png.js';

describe('8-bit grayscale PNG', () => {
  it('decodes, with an independent PNG decoder (checksums verified), to the same size and grey levels', () => {
    const [width, height] = [37, 23];
    const pixels = Uint8Array.from({ length: width * height }, (_, index) => (index * 97 + (index >> 3)) & 255);
    const png = encodeGrayPng(width, height, pixels);
    const decoded = decode(png, { checkCrc: true });
    expect([decoded.width, decoded.height, decoded.channels, decoded.depth]).toEqual([width, height, 1, 8]);
    expect([...decoded.data]).toEqual([...pixels]);
  });

  it('refuses grey levels that do not match the size', () => {
    expect(() => encodeGrayPng(4, 4, new Uint8Array(15))).toThrow(/15 grey levels for a 4×4 image/);
  });
});
