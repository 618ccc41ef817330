import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readDicomMetadata } from '../../../../main/core/dicom/dicom-metadata.js';
import { checkDecodeBudget, decodeFrame } from '../../../../main/core/dicom/decode-frame.js';
import { DicomImportError, parseDicomBytes } from '../../../../main/core/dicom/read-dicom.js';
import { element, monochromeImageElements, part10, text } from '../../../support/dicom-elements.js';

function imageBody(rows: number, columns: number, pixelBytes: number): Buffer {
  return Buffer.concat([
    element(0x0008, 0x0018, 'UI', text('1.2.3.4')),
    ...monochromeImageElements(rows, columns, pixelBytes),
  ]);
}

async function decodeFirstFrame(bytes: Buffer): Promise<unknown> {
  const parsed = parseDicomBytes(bytes, 1 << 20);
  const metadata = readDicomMetadata(parsed.dataSet);
  return decodeFrame(parsed, metadata.image!, 0);
}

describe('hostile and broken DICOM', () => {
  it('checks size fields against the bytes present before allocating', async () => {
    const started = performance.now();
    await expect(decodeFirstFrame(part10('1.2.840.10008.1.2.1', imageBody(65535, 65535, 64)))).rejects.toThrow(
      /exceeds the size limit|truncated/,
    );
    await expect(decodeFirstFrame(part10('1.2.840.10008.1.2.1', imageBody(4000, 4000, 64)))).rejects.toThrow(
      /pixel data is truncated: frame 1 needs 32000000 bytes/,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses a deflated data set that inflates past the cap (a deflate bomb)', () => {
    const bomb = zlib.deflateRawSync(
      Buffer.concat([
        element(0x0008, 0x0018, 'UI', text('1.2.3')),
        element(0x0009, 0x0010, 'OB', Buffer.alloc(4 << 20)),
      ]),
    );
    expect(bomb.length).toBeLessThan(10_000);
    expect(() => parseDicomBytes(part10('1.2.840.10008.1.2.1.99', bomb), 1 << 20)).toThrow(DicomImportError);
    expect(() => parseDicomBytes(part10('1.2.840.10008.1.2.1.99', bomb), 1 << 20)).toThrow(
      'deflated data set cannot be inflated: it inflates past 1 MB, more than one import worker may use',
    );
  });

  it('refuses, from its header alone, an image whose decode would pass the memory budget', () => {
    // A valid 16384² 16-bit film (512 MB of pixels) took one worker to 2.6 GB before this check.
    const film = readDicomMetadata(
      parseDicomBytes(part10('1.2.840.10008.1.2.1', imageBody(16384, 16384, 64))).dataSet,
    ).image!;
    const held = 16384 * 16384 * 2;
    expect(() => checkDecodeBudget(film, held, 896 * 1024 ** 2)).toThrow(
      new DicomImportError(
        'failed',
        'decoding this 16384×16384×1 image would need about 4096 MB, more than one import worker may use (896 MB); ' +
          'not imported',
      ),
    );
    // A large real film (a 4280 × 3520 chest radiograph) fits with room to spare.
    const chest = { ...film, rows: 4280, columns: 3520 };
    expect(() => checkDecodeBudget(chest, 4280 * 3520 * 2, 896 * 1024 ** 2)).not.toThrow();
  });

  it('refuses encapsulated fragments that point past the end of the file', async () => {
    const item = Buffer.alloc(8);
    item.writeUInt16LE(0xfffe, 0);
    item.writeUInt16LE(0xe000, 2);
    item.writeUInt32LE(0, 4);
    const fragment = Buffer.alloc(8);
    fragment.writeUInt16LE(0xfffe, 0);
    fragment.writeUInt16LE(0xe000, 2);
    fragment.writeUInt32LE(1_000_000, 4);
    const pixelHeader = Buffer.alloc(12);
    pixelHeader.writeUInt16LE(0x7fe0, 0);
    pixelHeader.writeUInt16LE(0x0010, 2);
    pixelHeader.write('OB', 4, 'latin1');
    pixelHeader.writeUInt32LE(0xffffffff, 8);
    const body = Buffer.concat([imageBody(8, 8, 0).subarray(0, -12), pixelHeader, item, fragment, Buffer.alloc(16)]);
    await expect(decodeFirstFrame(part10('1.2.840.10008.1.2.4.80', body))).rejects.toBeInstanceOf(DicomImportError);
  });

  it.each([
    ['1.2.840.10008.1.2.4.110', 'JPEG XL Lossless: no JPEG XL decoder is bundled yet'],
    ['1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264: video is not imported as images'],
  ])('skips a file in a syntax it cannot decode (%s) with the reason', async (syntax, reason) => {
    const refusal = decodeFirstFrame(part10(syntax, imageBody(2, 2, 8)));
    await expect(refusal).rejects.toThrow(reason);
    await expect(refusal).rejects.toMatchObject({ outcome: 'skipped' });
  });

  it('calls a non-DICOM file skipped, not failed', () => {
    expect(() => parseDicomBytes(Buffer.from('%PDF-1.7 just a pdf, long enough to sniff'))).toThrow(
      expect.objectContaining({ outcome: 'skipped' }),
    );
  });
});
