import path from 'node:path';
import type Database from 'better-sqlite3';
import type { PretrainingItem } from '../../../ml/data/pretraining-dataset.js';

interface ImageRow {
  imageId: number;
  studyId: number;
  patientKey: string;
  modelImagePath: string;
  modelImageOffset: number;
  modelImageSize: number;
  reportId: number | null;
  reportText: string | null;
  viewPosition: string | null;
  seriesId: number;
  modality: string | null;
  instanceNumber: number | null;
}

/** Modalities whose series are volumes: a slice is one of many views of one anatomy under one report. */
const volumetricModalities = new Set(['CT', 'MR', 'PT', 'NM']);
/** Slices a volume keeps for pairing and search: evenly spaced through it, the middle one among them. */
export const slicesPerVolume = 5;

/**
 * The slices of a volumetric series that stand for it: `slicesPerVolume` evenly spaced in instance order (at 10%, 30%,
 * 50%, 70% and 90% of the way through). A 300-slice CT is five items, not 300 near-copies under one report.
 */
function representativeSlices(rows: ImageRow[]): ImageRow[] {
  const bySeries = new Map<number, ImageRow[]>();
  for (const row of rows) {
    if (!volumetricModalities.has(row.modality ?? '')) continue;
    const series = bySeries.get(row.seriesId);
    if (series) series.push(row);
    else bySeries.set(row.seriesId, [row]);
  }
  const dropped = new Set<number>();
  for (const slices of bySeries.values()) {
    if (slices.length <= slicesPerVolume) continue;
    slices.sort((a, b) => (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0) || a.imageId - b.imageId);
    const kept = new Set(
      Array.from({ length: slicesPerVolume }, (_, k) => Math.floor(((k + 0.5) * slices.length) / slicesPerVolume)),
    );
    slices.forEach((slice, position) => {
      if (!kept.has(position)) dropped.add(slice.imageId);
    });
  }
  return rows.filter((row) => !dropped.has(row.imageId));
}

/**
 * A snapshot of the library for one run: every catalogued image (of a volume, its representative slices) with its
 * cached model input and its study's report (the first linked one). Kept with the run, so a resumed run trains on
 * exactly the data it started with.
 */
export function buildPretrainingDataset(
  database: Database.Database,
  libraryPath: string,
): { items: PretrainingItem[] } {
  const rows = database
    .prepare(
      `SELECT images.id AS imageId, studies.id AS studyId, patients.pseudonym AS patientKey,
         images.model_image_path AS modelImagePath, images.model_image_offset AS modelImageOffset, images.model_image_size AS modelImageSize,
         report.id AS reportId, report.text AS reportText, images.view_position AS viewPosition,
         series.id AS seriesId, series.modality AS modality, images.instance_number AS instanceNumber
       FROM images
       JOIN series ON series.id = images.series_id
       JOIN studies ON studies.id = series.study_id
       JOIN patients ON patients.id = studies.patient_id
       LEFT JOIN reports AS report ON report.id = (SELECT min(id) FROM reports WHERE reports.study_id = studies.id)
       ORDER BY images.id`,
    )
    .all() as ImageRow[];
  const items = representativeSlices(rows).map((row): PretrainingItem => ({
    imageId: row.imageId,
    studyId: row.studyId,
    patientKey: row.patientKey,
    imageFile: path.join(libraryPath, row.modelImagePath),
    imageOffset: row.modelImageOffset,
    imageSize: row.modelImageSize,
    reportText: row.reportText?.trim() ?? '',
    reportId: row.reportId,
    viewPosition: row.viewPosition,
  }));
  return { items };
}
