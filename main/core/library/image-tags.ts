import type Database from 'better-sqlite3';
import dcmjs from 'dcmjs';
import type { DataSet, Element } from 'dicom-parser';
import type { ImageTag } from '../../../common/contract/index.js';
import { readText } from '../dicom/dicom-metadata.js';
import type { CatalogPaths } from './catalog-paths.js';
import { readCataloguedImageFile } from './catalogued-image-file.js';

/** dcmjs's copy of the DICOM data dictionary, keyed "(GGGG,EEEE)". */
const { dictionary } = dcmjs.data.DicomMetaDictionary;
const patientId = 'x00100020';
/** Of the patient module (group 0010), what says nothing of who the patient is. */
const patientFactsKept = new Set(['x00100040', 'x00101010', 'x00101020', 'x00101030']);
/** Elsewhere, attributes that identify people or places (after DICOM PS3.15's basic profile). */
const identifying = new Set([
  'x00080080', // Institution Name
  'x00080081', // Institution Address
  'x00080090', // Referring Physician's Name
  'x00080092', // Referring Physician's Address
  'x00080094', // Referring Physician's Telephone Numbers
  'x00081010', // Station Name
  'x00081040', // Institutional Department Name
  'x00081048', // Physician(s) of Record
  'x00081050', // Performing Physician's Name
  'x00081060', // Name of Physician(s) Reading Study
  'x00081070', // Operators' Name
  'x00321032', // Requesting Physician
  'x00380010', // Admission ID
  'x00400006', // Scheduled Performing Physician's Name
]);
/** Numeric VRs: the size of one value and dicom-parser's reader for it (which knows the data set's byte order). */
const numeric: Record<string, [number, (dataSet: DataSet, tag: string, index: number) => number | undefined]> = {
  US: [2, (dataSet, tag, index) => dataSet.uint16(tag, index)],
  SS: [2, (dataSet, tag, index) => dataSet.int16(tag, index)],
  UL: [4, (dataSet, tag, index) => dataSet.uint32(tag, index)],
  SL: [4, (dataSet, tag, index) => dataSet.int32(tag, index)],
  FL: [4, (dataSet, tag, index) => dataSet.float(tag, index)],
  FD: [8, (dataSet, tag, index) => dataSet.double(tag, index)],
};
/** Values of a multi-valued numeric element shown; the rest are elided. */
const maximumValuesShown = 16;
/** Longest value shown; longer ones are cut with an ellipsis. */
const maximumValueCharacters = 200;

/**
 * The top-level elements of a catalogued image's DICOM file, named from the data dictionary, for the viewer's tag
 * panel. The catalog's pseudonymisation holds here too: the Patient ID is shown as the catalog's pseudonym, and the
 * rest of the patient module (sex, age, size and weight aside), every person name and the institution and staff
 * attributes are withheld, whatever the library keeps.
 */
export function imageTags(
  database: Database.Database,
  paths: CatalogPaths,
  imageId: number,
): { tags: ImageTag[]; withheld: number } {
  const { parsed } = readCataloguedImageFile(database, paths, imageId);
  const { dataSet } = parsed;
  const pseudonym = (database
    .prepare(
      `SELECT patients.pseudonym FROM images JOIN series ON series.id = images.series_id JOIN studies ON studies.id = series.study_id
         JOIN patients ON patients.id = studies.patient_id WHERE images.id = ?`,
    )
    .pluck()
    .get(imageId) as string | undefined)!;
  let withheld = 0;
  const tags: ImageTag[] = [];
  for (const [tag, element] of Object.entries(dataSet.elements).sort(([left], [right]) => left.localeCompare(right))) {
    const key = `(${tag.slice(1, 5)},${tag.slice(5, 9)})`.toUpperCase();
    const entry = dictionary[key];
    const vr = element.vr ?? entry?.vr ?? null;
    const base = { tag: key, name: entry?.name ?? null, vr };
    if (tag === patientId) {
      tags.push({ ...base, value: `${pseudonym} (pseudonym)` });
      continue;
    }
    if ((tag.startsWith('x0010') && !patientFactsKept.has(tag)) || identifying.has(tag) || vr === 'PN') {
      withheld += 1;
      tags.push({ ...base, value: '(withheld: identifying)' });
      continue;
    }
    tags.push({ ...base, value: valueOf(dataSet, tag, element, vr) });
  }
  return { tags, withheld };
}

function valueOf(dataSet: DataSet, tag: string, element: Element, vr: string | null): string {
  if (element.items) return `(sequence of ${element.items.length} item${element.items.length === 1 ? '' : 's'})`;
  if (tag === 'x7fe00010' || element.encapsulatedPixelData) return `(pixel data, ${element.length} bytes)`;
  if (element.dataOffset + element.length > dataSet.byteArray.length) return '(cut short in the file)';
  const reader = vr ? numeric[vr] : undefined;
  if (reader) {
    const [size, read] = reader;
    const count = Math.floor(element.length / size);
    const values = Array.from({ length: Math.min(count, maximumValuesShown) }, (_, index) => read(dataSet, tag, index));
    return values.join('\\') + (count > maximumValuesShown ? '\\…' : '');
  }
  if (vr && ['OB', 'OW', 'OF', 'OD', 'UN', 'OL', 'OV'].includes(vr)) return `(${element.length} bytes)`;
  const text = readText(dataSet, tag) ?? '';
  return text.length > maximumValueCharacters ? `${text.slice(0, maximumValueCharacters)}…` : text;
}
