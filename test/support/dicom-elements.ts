/** Hand-built DICOM bytes for tests that need files no encoder would write (hostile, huge, or minimal ones). */

/** One element in explicit VR little endian. */
export function element(group: number, elementNumber: number, vr: string, value: Buffer): Buffer {
  const long = ['OB', 'OW', 'UN', 'SQ', 'UT'].includes(vr);
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(elementNumber, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(value.length, 8);
  else header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

/** A text value padded to even length. */
export const text = (value: string): Buffer => Buffer.from(value.length % 2 ? `${value}\0` : value, 'latin1');

export const us = (value: number): Buffer => {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16LE(value);
  return buffer;
};

/** A Part-10 file: preamble, DICM, the meta group naming `transferSyntax`, then `body` as it is. */
export function part10(transferSyntax: string, body: Buffer): Buffer {
  const meta = element(0x0002, 0x0010, 'UI', text(transferSyntax));
  const groupLength = element(0x0002, 0x0000, 'UL', Buffer.from(Uint32Array.of(meta.length).buffer));
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), groupLength, meta, body]);
}

/**
 * The image pixel module of one 16-bit (12 stored, high bit 11) unsigned MONOCHROME2 frame of `rows` × `columns`,
 * with `pixels` as its pixel data, or `pixelBytes` of zeros (fewer than the size needs makes a truncated file).
 * `between`: elements of group 0028 after the pixel description and before the pixel data (a rescale, a window).
 */
export function monochromeImageElements(
  rows: number,
  columns: number,
  pixels: number | Buffer,
  between: Buffer[] = [],
): Buffer[] {
  return [
    element(0x0028, 0x0002, 'US', us(1)),
    element(0x0028, 0x0004, 'CS', text('MONOCHROME2')),
    element(0x0028, 0x0010, 'US', us(rows)),
    element(0x0028, 0x0011, 'US', us(columns)),
    element(0x0028, 0x0100, 'US', us(16)),
    element(0x0028, 0x0101, 'US', us(12)),
    element(0x0028, 0x0102, 'US', us(11)),
    element(0x0028, 0x0103, 'US', us(0)),
    ...between,
    element(0x7fe0, 0x0010, 'OW', typeof pixels === 'number' ? Buffer.alloc(pixels) : pixels),
  ];
}
