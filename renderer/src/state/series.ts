import type { StudyDetail } from '../../../common/contract/index.js';

export interface SeriesGroup {
  seriesInstanceUid: string;
  /** "Series 3 · AX T1 · MR · 40 images". */
  label: string;
  /** Indexes into the study's images, in the order the catalog gives them (by instance number). */
  imageIndexes: number[];
}

/** A study's images grouped by series, each series in the catalog's order, for the viewer to step through. */
export function groupSeries(images: StudyDetail['images']): SeriesGroup[] {
  const groups = new Map<string, { first: StudyDetail['images'][number]; imageIndexes: number[] }>();
  images.forEach((image, index) => {
    const group = groups.get(image.seriesInstanceUid);
    if (group) group.imageIndexes.push(index);
    else groups.set(image.seriesInstanceUid, { first: image, imageIndexes: [index] });
  });
  return [...groups.entries()].map(([seriesInstanceUid, { first, imageIndexes }], position) => ({
    seriesInstanceUid,
    label: [
      `Series ${first.seriesNumber ?? position + 1}`,
      first.seriesDescription,
      first.modality,
      imageIndexes.length === 1 ? first.viewPosition : `${imageIndexes.length} images`,
    ]
      .filter(Boolean)
      .join(' · '),
    imageIndexes,
  }));
}
