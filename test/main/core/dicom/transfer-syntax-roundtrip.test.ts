import { describe, expect, it } from 'vitest';
import { readDicomMetadata } from '../../../../main/core/dicom/dicom-metadata.js';
import { decodeFrame } from '../../../../main/core/dicom/decode-frame.js';
import { parseDicomBytes } from '../../../../main/core/dicom/read-dicom.js';
import { drawChest } from '../../../../main/demo/chest-phantom.js';
import { demoTransferSyntaxes, writeDicomFile } from '../../../../main/demo/dicom-writer.js';
import { SeededRandom } from '../../../../common/seeded-random.js';
import { phantomFilmDataset } from '../../../support/phantom-film.js';

// One test per transfer syntax the generator writes: a 12-bit phantom film, encoded by an independent encoder
// (dcmjs, CharLS, OpenJPEG, OpenJPH, our RLE), must decode to exactly the same stored values.
const image = drawChest(new SeededRandom('roundtrip'), [
  { name: 'nodule', side: 'left', zone: 'upper', severity: 0.5 },
]);
const dataset = phantomFilmDataset(image);

describe('generated DICOM decodes back to the exact pixels', () => {
  it.each(Object.entries(demoTransferSyntaxes))('%s', async (_name, syntax) => {
    const bytes = await writeDicomFile(dataset, image, syntax);
    const parsed = parseDicomBytes(bytes);
    expect(parsed.transferSyntaxUid).toBe(syntax);
    const metadata = readDicomMetadata(parsed.dataSet);
    const frame = await decodeFrame(parsed, metadata.image!, 0);
    expect(frame.width).toBe(image.width);
    expect(frame.height).toBe(image.height);
    expect(Array.from(frame.values)).toEqual(Array.from(image.pixels));
  });
});
