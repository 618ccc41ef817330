const markers = {
  startOfCodestream: 0xff4f,
  imageAndTileSize: 0xff51,
  codingStyle: 0xff52,
  componentCodingStyle: 0xff53,
  startOfTile: 0xff90,
};

/** Where the codestream starts: at 0 for a raw one, inside the `jp2c` box of a JP2 file. */
function codestreamStart(bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 2 && view.getUint16(0) === markers.startOfCodestream) return 0;
  let position = 0;
  while (position + 8 <= bytes.length) {
    let length = view.getUint32(position);
    let header = 8;
    if (length === 1 && position + 16 <= bytes.length) {
      length = Number(view.getBigUint64(position + 8));
      header = 16;
    }
    if (String.fromCharCode(...bytes.subarray(position + 4, position + 8)) === 'jp2c') return position + header;
    if (length < header) return null;
    position += length;
  }
  return null;
}

/** What the main header of a JPEG 2000 or HTJ2K codestream says about the image's size and its wavelet levels. */
export interface CodestreamHeader {
  width: number;
  height: number;
  /** The image does not start at the reference grid's origin (never so in DICOM, but a stream may say it). */
  offsetOrigin: boolean;
  /** The fewest decomposition levels any component is coded with: COD, and COC where one overrides it. */
  levels: number;
}

/**
 * Reads the main header's markers (SIZ, COD, COC) without decoding anything; null where they cannot be read. Tile-part
 * headers may still lower the levels; a reduced decode that then fails is retried at full size (decode-frame.ts).
 */
export function codestreamHeader(bytes: Uint8Array): CodestreamHeader | null {
  const start = codestreamStart(bytes);
  if (start === null) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let size: Omit<CodestreamHeader, 'levels'> | null = null;
  let components = 0;
  let levels = Infinity;
  let position = start + 2;
  while (position + 4 <= bytes.length) {
    const marker = view.getUint16(position);
    if (marker === markers.startOfTile || (marker & 0xff00) !== 0xff00) break;
    const length = view.getUint16(position + 2);
    const segment = position + 4;
    if (length < 2 || position + 2 + length > bytes.length) return null;
    if (marker === markers.imageAndTileSize && length >= 38) {
      // Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, then the tile grid, then Csiz.
      const [right, bottom, left, top] = [2, 6, 10, 14].map((offset) => view.getUint32(segment + offset));
      size = { width: right! - left!, height: bottom! - top!, offsetOrigin: left !== 0 || top !== 0 };
      components = view.getUint16(segment + 34);
    } else if (marker === markers.codingStyle && length >= 12) {
      // Scod, SGcod (progression order, two bytes of layers, multiple-component transform), then the levels.
      levels = Math.min(levels, bytes[segment + 5]!);
    } else if (marker === markers.componentCodingStyle) {
      // Ccoc (one byte below 257 components, else two), Scoc, then the levels.
      const levelsAt = segment + (components < 257 ? 1 : 2) + 1;
      if (levelsAt < position + 2 + length) levels = Math.min(levels, bytes[levelsAt]!);
    }
    position += 2 + length;
  }
  return size && Number.isFinite(levels) && size.width > 0 && size.height > 0 ? { ...size, levels } : null;
}
