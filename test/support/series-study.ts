import fs from 'node:fs';
import path from 'node:path';
import { element, monochromeImageElements, part10, text } from './dicom-elements.js';

/** A DICOM Integer String (IS) value. */
const integerString = (value: number): Buffer => text(String(value));

/**
 * One CT slice, 64 × 64 16-bit unsigned: a bright disc whose radius grows with the instance number, so consecutive
 * slices look different, as a stack through a round structure does.
 */
function ctSlice(uids: { study: string; series: string }, seriesNumber: number, description: string, instance: number) {
  const size = 64;
  const pixels = Buffer.alloc(size * size * 2);
  const radius = 4 + instance * 3;
  for (let row = 0; row < size; row++)
    for (let column = 0; column < size; column++) {
      const inside = (row - size / 2) ** 2 + (column - size / 2) ** 2 <= radius ** 2;
      pixels.writeUInt16LE(inside ? 1200 : 100, (row * size + column) * 2);
    }
  return part10(
    '1.2.840.10008.1.2.1',
    Buffer.concat([
      element(0x0008, 0x0016, 'UI', text('1.2.840.10008.5.1.4.1.1.2')),
      element(0x0008, 0x0018, 'UI', text(`${uids.series}.${instance}`)),
      element(0x0008, 0x0020, 'DA', text('20260102')),
      element(0x0008, 0x0050, 'SH', text('ACCSERIES01')),
      element(0x0008, 0x0060, 'CS', text('CT')),
      element(0x0008, 0x103e, 'LO', text(description)),
      element(0x0010, 0x0020, 'LO', text('SERIES-PATIENT')),
      element(0x0020, 0x000d, 'UI', text(uids.study)),
      element(0x0020, 0x000e, 'UI', text(uids.series)),
      element(0x0020, 0x0011, 'IS', integerString(seriesNumber)),
      element(0x0020, 0x0013, 'IS', integerString(instance)),
      ...monochromeImageElements(size, size, pixels, [
        element(0x0028, 0x1052, 'DS', text('-1024')),
        element(0x0028, 0x1053, 'DS', text('1')),
      ]),
    ]),
  );
}

/**
 * A one-study export with two CT series, as a scanner writes them: an axial series of `slices` files (written in
 * shuffled order, so the catalog must order them) and a one-image scout, with a report beside the study.
 */
export function writeSeriesStudy(folder: string, slices = 8): void {
  const study = '2.25.4242';
  const directory = path.join(folder, 'SERIES-PATIENT', 'study');
  fs.mkdirSync(directory, { recursive: true });
  const order = Array.from({ length: slices }, (_, index) => index + 1).reverse();
  for (const instance of order)
    fs.writeFileSync(
      path.join(directory, `AX${instance}.dcm`),
      ctSlice({ study, series: `${study}.2` }, 2, 'AXIAL 5mm', instance),
    );
  fs.writeFileSync(path.join(directory, 'SCOUT.dcm'), ctSlice({ study, series: `${study}.1` }, 1, 'SCOUT', 1));
}
