import { DicomImportError } from '../read-dicom.js';

/**
 * DICOM RLE (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits segment per byte plane, most
 * significant byte first, sample by sample. Returns little-endian interleaved samples.
 */
export function decodeRle(encoded: Uint8Array, rows: number, columns: number, samplesPerPixel: number, bitsAllocated: number): Uint8Array {
  const header = new DataView(encoded.buffer, encoded.byteOffset, Math.min(64, encoded.length));
  if (encoded.length < 64) throw new DicomImportError('failed', 'RLE frame is shorter than its 64-byte header');
  const segmentCount = header.getUint32(0, true);
  const bytesPerSample = bitsAllocated / 8;
  if (segmentCount !== samplesPerPixel * bytesPerSample) {
    throw new DicomImportError('failed', `RLE frame has ${segmentCount} segments, expected ${samplesPerPixel * bytesPerSample}`);
  }
  const pixels = rows * columns;
  const output = new Uint8Array(pixels * samplesPerPixel * bytesPerSample);
  for (let segment = 0; segment < segmentCount; segment++) {
    const start = header.getUint32(4 + 4 * segment, true);
    const end = segment + 1 < segmentCount ? header.getUint32(8 + 4 * segment, true) : encoded.length;
    if (start < 64 || start > encoded.length || end > encoded.length || end < start) {
      throw new DicomImportError('failed', `RLE segment ${segment} offsets are outside the frame`);
    }
    const sample = Math.floor(segment / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (segment % bytesPerSample);
    const stride = samplesPerPixel * bytesPerSample;
    let target = sample * bytesPerSample + byteInSample;
    let written = 0;
    let position = start;
    while (position < end && written < pixels) {
      const control = (encoded[position++]! << 24) >> 24;
      if (control >= 0) {
        for (let count = 0; count <= control && position < end && written < pixels; count++, written++, target += stride) output[target] = encoded[position++]!;
      } else if (control !== -128) {
        const value = encoded[position++]!;
        for (let count = 0; count < 1 - control && written < pixels; count++, written++, target += stride) output[target] = value;
      }
    }
    if (written < pixels) throw new DicomImportError('failed', `RLE segment ${segment} ends after ${written} of ${pixels} pixels`);
  }
  return output;
}
