import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDicomMetadata } from '../../../../main/core/dicom/dicom-metadata.js';
import { decodeFrame } from '../../../../main/core/dicom/decode-frame.js';
import { parseDicomBytes } from '../../../../main/core/dicom/read-dicom.js';
import { drawChest } from '../../../../main/demo/chest-phantom.js';
import { demoTransferSyntaxes, writeDicomFile } from '../../../../main/demo/dicom-writer.js';
import { SeededRandom } from '../../../../common/seeded-random.js';
import { missingOutsideTool } from '../../../support/outside-tools.js';

const jpegExtendedSyntax = '1.2.840.10008.1.2.4.51';
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'unisight-jpeg12-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

async function decodeFile(file: string) {
  const parsed = parseDicomBytes(new Uint8Array(fs.readFileSync(file)));
  const metadata = readDicomMetadata(parsed.dataSet);
  return { syntax: parsed.transferSyntaxUid, frame: await decodeFrame(parsed, metadata.image!, 0) };
}

// The shared samples hold one 12-bit JPEG Extended image; this encodes a phantom film with dcmtk's 12-bit DCT
// encoder (an independent implementation) at two qualities and checks ours against dcmtk's decode of the same bytes.
const missing = missingOutsideTool('12-bit JPEG Extended against dcmtk (jpeg-12-bit.test.ts)', 'dcmtk');

describe.skipIf(missing !== null)('12-bit JPEG Extended (process 4)', () => {
  it.each([
    ['default quality', []],
    ['quality 60', ['+q', '60']],
  ])('decodes within 1 of dcmtk at %s', async (_label, qualityFlags) => {
    const image = drawChest(new SeededRandom('jpeg12'), [
      { name: 'effusion', side: 'right', zone: 'lower', severity: 0.7 },
    ]);
    const dataset = {
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
      SOPInstanceUID: '2.25.11',
      StudyInstanceUID: '2.25.12',
      SeriesInstanceUID: '2.25.13',
      Modality: 'DX',
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: image.height,
      Columns: image.width,
      BitsAllocated: 16,
      BitsStored: 12,
      HighBit: 11,
      PixelRepresentation: 0,
    };
    const native = path.join(scratch, `native-${qualityFlags.length}.dcm`);
    const encoded = path.join(scratch, `extended-${qualityFlags.length}.dcm`);
    const referenceDecoded = path.join(scratch, `reference-${qualityFlags.length}.dcm`);
    fs.writeFileSync(native, await writeDicomFile(dataset, image, demoTransferSyntaxes.explicitLittleEndian));
    execFileSync('dcmcjpeg', ['+ee', ...qualityFlags, native, encoded]);
    execFileSync('dcmdjpeg', [encoded, referenceDecoded]);

    const ours = await decodeFile(encoded);
    const reference = await decodeFile(referenceDecoded);
    expect(ours.syntax).toBe(jpegExtendedSyntax);
    expect([ours.frame.width, ours.frame.height]).toEqual([image.width, image.height]);
    let largest = 0;
    let lossFromOriginal = 0;
    for (let index = 0; index < image.pixels.length; index++) {
      largest = Math.max(largest, Math.abs(ours.frame.values[index]! - reference.frame.values[index]!));
      lossFromOriginal = Math.max(lossFromOriginal, Math.abs(ours.frame.values[index]! - image.pixels[index]!));
    }
    expect(largest).toBeLessThanOrEqual(1);
    // Lossy, but the film is still the film: a wrong level shift or precision would break this by hundreds.
    expect(lossFromOriginal).toBeLessThan(200);
  });
});
