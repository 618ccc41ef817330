import type { DataSet } from 'dicom-parser';
import { decodeText } from './character-sets.js';
import { readViewPosition } from './view-position.js';

export interface DicomMetadata {
  sopClassUid: string | null;
  sopInstanceUid: string | null;
  studyInstanceUid: string | null;
  seriesInstanceUid: string | null;
  patientId: string | null;
  patientName: string | null;
  patientSex: string | null;
  studyDate: string | null;
  accessionNumber: string | null;
  studyDescription: string | null;
  seriesDescription: string | null;
  seriesNumber: number | null;
  instanceNumber: number | null;
  modality: string | null;
  bodyPartExamined: string | null;
  viewPosition: string | null;
  specificCharacterSet: string | null;
  hasPixelData: boolean;
  image: ImagePixelDescription | null;
}

export interface ImagePixelDescription {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: number;
  photometricInterpretation: string;
  planarConfiguration: number;
  numberOfFrames: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  windowCenter: number | null;
  windowWidth: number | null;
  floatPixelData: boolean;
}

const textTags = new Set([
  'x00100010',
  'x00081030',
  'x0008103e',
  'x00100020',
  'x00080050',
  'x00180015',
  'x0040a160',
  'x00080104',
]);

/** Reads a text value in the data set's declared character set (dicom-parser itself reads bytes as Latin-1). */
export function readText(dataSet: DataSet, tag: string, characterSet = dataSet.string('x00080005')): string | null {
  const element = dataSet.elements[tag];
  if (!element || element.length <= 0) return null;
  const end = element.dataOffset + element.length;
  if (end > dataSet.byteArray.length) return null;
  const value = decodeText(dataSet.byteArray.subarray(element.dataOffset, end), characterSet).trim();
  return value === '' ? null : value;
}

function readString(dataSet: DataSet, tag: string): string | null {
  if (textTags.has(tag)) return readText(dataSet, tag);
  const value = dataSet.string(tag)?.replace(/\0/g, '').trim();
  return value ? value : null;
}

function readInteger(dataSet: DataSet, tag: string): number | null {
  const element = dataSet.elements[tag];
  if (!element || element.length === 0) return null;
  const value =
    element.vr === 'IS' || (element.length !== 2 && element.length !== 4)
      ? dataSet.intString(tag)
      : dataSet.uint16(tag);
  return value === undefined || Number.isNaN(value) ? null : value;
}

function readDecimal(dataSet: DataSet, tag: string): number | null {
  const value = dataSet.floatString(tag);
  return value === undefined || !Number.isFinite(value) ? null : value;
}

function pixelDescription(dataSet: DataSet): ImagePixelDescription | null {
  const floatPixelData = Boolean(dataSet.elements.x7fe00008 ?? dataSet.elements.x7fe00009);
  if (!dataSet.elements.x7fe00010 && !floatPixelData) return null;
  const rows = dataSet.uint16('x00280010') ?? 0;
  const columns = dataSet.uint16('x00280011') ?? 0;
  const bitsAllocated = dataSet.uint16('x00280100') ?? 0;
  return {
    rows,
    columns,
    samplesPerPixel: dataSet.uint16('x00280002') ?? 1,
    bitsAllocated,
    bitsStored: dataSet.uint16('x00280101') ?? bitsAllocated,
    highBit: dataSet.uint16('x00280102') ?? bitsAllocated - 1,
    pixelRepresentation: dataSet.uint16('x00280103') ?? 0,
    photometricInterpretation: (dataSet.string('x00280004') ?? 'MONOCHROME2').trim().toUpperCase(),
    planarConfiguration: dataSet.uint16('x00280006') ?? 0,
    numberOfFrames: Math.max(1, dataSet.intString('x00280008') || 1),
    rescaleSlope: readDecimal(dataSet, 'x00281053') ?? 1,
    rescaleIntercept: readDecimal(dataSet, 'x00281052') ?? 0,
    windowCenter: readDecimal(dataSet, 'x00281050'),
    windowWidth: readDecimal(dataSet, 'x00281051'),
    floatPixelData,
  };
}

export function readDicomMetadata(dataSet: DataSet): DicomMetadata {
  const image = pixelDescription(dataSet);
  return {
    sopClassUid: readString(dataSet, 'x00080016') ?? readString(dataSet, 'x00020002'),
    sopInstanceUid: readString(dataSet, 'x00080018') ?? readString(dataSet, 'x00020003'),
    studyInstanceUid: readString(dataSet, 'x0020000d'),
    seriesInstanceUid: readString(dataSet, 'x0020000e'),
    patientId: readString(dataSet, 'x00100020'),
    patientName: readString(dataSet, 'x00100010'),
    patientSex: readString(dataSet, 'x00100040'),
    studyDate: readString(dataSet, 'x00080020'),
    accessionNumber: readString(dataSet, 'x00080050'),
    studyDescription: readString(dataSet, 'x00081030'),
    seriesDescription: readString(dataSet, 'x0008103e'),
    seriesNumber: readInteger(dataSet, 'x00200011'),
    instanceNumber: readInteger(dataSet, 'x00200013'),
    modality: readString(dataSet, 'x00080060'),
    bodyPartExamined: readString(dataSet, 'x00180015'),
    viewPosition: readViewPosition(dataSet, readString(dataSet, 'x00080060')),
    specificCharacterSet: readString(dataSet, 'x00080005'),
    hasPixelData: image !== null,
    image,
  };
}
