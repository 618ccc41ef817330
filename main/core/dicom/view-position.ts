import type { DataSet } from 'dicom-parser';

/** Words of a view's name (a code meaning or a series description) and the ViewPosition they stand for. */
const viewWords: Array<[RegExp, string]> = [
  [/postero-?\s?anterior|\bPA\b/i, 'PA'],
  [/antero-?\s?posterior|\bAP\b/i, 'AP'],
  [/right\s+lateral|\bRL\b/i, 'RL'],
  [/left\s+lateral|\bLL\b/i, 'LL'],
  [/\blat(eral)?\b/i, 'LL'],
];

function viewFromWords(text: string | undefined): string | null {
  if (!text) return null;
  for (const [pattern, view] of viewWords) if (pattern.test(text)) return view;
  return null;
}

/**
 * A radiograph's view: ViewPosition (0018,5101) where the file has it; else the meaning of the View Code Sequence
 * (0054,0220), which many modern DX files carry instead; else, for a radiograph (CR, DX), the words of its series or
 * protocol name ("CHEST LAT", "PA ERECT"), as sites name them. Null when none says.
 */
export function readViewPosition(dataSet: DataSet, modality: string | null): string | null {
  const tagged = dataSet.string('x00185101')?.replace(/\0/g, '').trim().toUpperCase();
  if (tagged) return tagged;
  for (const item of dataSet.elements['x00540220']?.items ?? []) {
    const view = viewFromWords(item.dataSet?.string('x00080104'));
    if (view) return view;
  }
  if (modality !== 'CR' && modality !== 'DX') return null;
  return viewFromWords(dataSet.string('x0008103e')) ?? viewFromWords(dataSet.string('x00181030'));
}
