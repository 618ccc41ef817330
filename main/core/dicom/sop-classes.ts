// Non-image objects are catalogued as skipped with what they are, never as errors.
const namedPrefixes: Array<[string, string]> = [
  ['1.2.840.10008.1.3.10', 'DICOMDIR (a media index; the files it lists are imported directly)'],
  ['1.2.840.10008.5.1.4.1.1.88.', 'Structured Report'],
  ['1.2.840.10008.5.1.4.1.1.481.1', 'RT Image'],
  ['1.2.840.10008.5.1.4.1.1.481.2', 'RT Dose'],
  ['1.2.840.10008.5.1.4.1.1.481.3', 'RT Structure Set'],
  ['1.2.840.10008.5.1.4.1.1.481.5', 'RT Plan'],
  ['1.2.840.10008.5.1.4.1.1.481.', 'Radiotherapy object'],
  ['1.2.840.10008.5.1.4.1.1.66.4', 'Segmentation'],
  ['1.2.840.10008.5.1.4.1.1.66', 'Raw data or registration object'],
  ['1.2.840.10008.5.1.4.1.1.9.', 'Waveform (e.g. ECG)'],
  ['1.2.840.10008.5.1.4.1.1.11.', 'Presentation State'],
  ['1.2.840.10008.5.1.4.1.1.104.', 'Encapsulated document (PDF/CDA)'],
  ['1.2.840.10008.5.1.4.1.1.7', 'Secondary Capture image'],
  ['1.2.840.10008.5.1.4.1.1.1.1', 'Digital X-Ray image'],
  ['1.2.840.10008.5.1.4.1.1.1.2', 'Digital Mammography image'],
  ['1.2.840.10008.5.1.4.1.1.1', 'Computed Radiography image'],
  ['1.2.840.10008.5.1.4.1.1.2', 'CT image'],
  ['1.2.840.10008.5.1.4.1.1.4', 'MR image'],
  ['1.2.840.10008.5.1.4.1.1.6', 'Ultrasound image'],
  ['1.2.840.10008.5.1.4.1.1.12', 'X-Ray Angiography image'],
  ['1.2.840.10008.5.1.4.1.1.20', 'Nuclear Medicine image'],
  ['1.2.840.10008.5.1.4.1.1.128', 'PET image'],
];

export function describeSopClass(sopClassUid: string | null): string {
  if (!sopClassUid) return 'object without SOP Class UID';
  return namedPrefixes.find(([prefix]) => sopClassUid.startsWith(prefix))?.[1] ?? `object of SOP class ${sopClassUid}`;
}

export function isStructuredReport(sopClassUid: string | null): boolean {
  return Boolean(sopClassUid?.startsWith('1.2.840.10008.5.1.4.1.1.88.'));
}

export function isDicomDirectory(sopClassUid: string | null): boolean {
  return sopClassUid === '1.2.840.10008.1.3.10';
}
