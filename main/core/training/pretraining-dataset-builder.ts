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
}

/**
 * A snapshot of the library for one run: every catalogued image that stands for its series (of a volume, its
 * representative slices, as the catalog records them: representative-slices.ts) with its cached model input and its
 * study's report (the first linked one). Kept with the run, so a resumed run trains on exactly the data it started
 * with.
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
         images.series_id AS seriesId
       FROM images
       JOIN series ON series.id = images.series_id
       JOIN studies ON studies.id = series.study_id
       JOIN patients ON patients.id = studies.patient_id
       LEFT JOIN reports AS report ON report.id = (SELECT min(id) FROM reports WHERE reports.study_id = studies.id)
       WHERE images.represents_series = 1
       ORDER BY images.id`,
    )
    .all() as ImageRow[];
  const items = rows.map((row): PretrainingItem => ({
    imageId: row.imageId,
    studyId: row.studyId,
    patientKey: row.patientKey,
    imageFile: path.join(libraryPath, row.modelImagePath),
    imageOffset: row.modelImageOffset,
    imageSize: row.modelImageSize,
    reportText: row.reportText?.trim() ?? '',
    reportId: row.reportId,
    viewPosition: row.viewPosition,
    seriesId: row.seriesId,
    // Only a run that predicts words needs them (affirmed-words.ts: withAffirmedWords).
    reportWords: [],
  }));
  return { items };
}
