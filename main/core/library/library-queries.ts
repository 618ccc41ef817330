import { transferSyntax } from '../dicom/transfer-syntaxes.js';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import { readFileRange } from '../../../ml/data/read-file-range.js';
import { encodeGrayPng } from '../dicom/gray-png.js';
import { pathRange } from './path-range.js';
import type {
  ImportedFile,
  LibrarySummary,
  StudyDetail,
  StudyFilter,
  StudyListItem,
} from '../../../common/contract/index.js';

const count = (database: Database.Database, sql: string): number =>
  (database.prepare(sql).get() as { count: number }).count;
const column = (database: Database.Database, sql: string): string[] =>
  (database.prepare(sql).all() as Array<{ value: string }>).map((row) => row.value);

export function librarySummary(database: Database.Database): LibrarySummary {
  return {
    patients: count(database, 'SELECT count(*) AS count FROM patients'),
    studies: count(database, 'SELECT count(*) AS count FROM studies'),
    series: count(database, 'SELECT count(*) AS count FROM series'),
    images: count(database, 'SELECT count(*) AS count FROM images'),
    reports: count(database, 'SELECT count(*) AS count FROM reports WHERE duplicate_of IS NULL'),
    unmatchedReports: count(
      database,
      'SELECT count(*) AS count FROM reports WHERE study_id IS NULL AND duplicate_of IS NULL',
    ),
    studiesWithoutReports: count(
      database,
      'SELECT count(*) AS count FROM studies WHERE NOT EXISTS (SELECT 1 FROM reports WHERE reports.study_id = studies.id)',
    ),
    labels: count(database, 'SELECT count(*) AS count FROM labels'),
    modalities: column(database, 'SELECT DISTINCT modality AS value FROM series WHERE modality IS NOT NULL ORDER BY 1'),
    bodyParts: column(
      database,
      'SELECT DISTINCT body_part AS value FROM series WHERE body_part IS NOT NULL ORDER BY 1',
    ),
    labelTasks: column(database, 'SELECT DISTINCT task AS value FROM labels ORDER BY 1'),
    labelValues: labelValuesByTask(database),
    viewPositions: column(
      database,
      'SELECT DISTINCT view_position AS value FROM images WHERE view_position IS NOT NULL ORDER BY 1',
    ),
    classifiers: (
      database
        .prepare(
          `SELECT id AS runId, name, task, (SELECT json_group_array(DISTINCT predicted_class) FROM predictions WHERE predictions.run_id = classifier_runs.id AND predicted_class IS NOT NULL) AS classesJson
           FROM classifier_runs WHERE state = 'succeeded' AND EXISTS (SELECT 1 FROM predictions WHERE predictions.run_id = classifier_runs.id) ORDER BY created_at DESC`,
        )
        .all() as Array<{ runId: string; name: string; task: string; classesJson: string }>
    ).map(({ classesJson, ...classifier }) => ({
      ...classifier,
      predictedClasses: (JSON.parse(classesJson) as string[]).sort(),
    })),
  };
}

const studyColumns = `
  studies.id AS id, studies.study_instance_uid AS studyInstanceUid, patients.pseudonym AS patientPseudonym,
  studies.study_date AS studyDate, studies.accession_number AS accessionNumber, studies.description AS description,
  (SELECT group_concat(DISTINCT modality) FROM series WHERE series.study_id = studies.id) AS modalities,
  (SELECT group_concat(DISTINCT body_part) FROM series WHERE series.study_id = studies.id) AS bodyParts,
  (SELECT count(*) FROM images JOIN series ON series.id = images.series_id WHERE series.study_id = studies.id) AS imageCount,
  (SELECT min(images.id) FROM images JOIN series ON series.id = images.series_id WHERE series.study_id = studies.id) AS firstImageId,
  EXISTS (SELECT 1 FROM reports WHERE reports.study_id = studies.id) AS hasReport`;

export function filterClause(filter: StudyFilter): { where: string; parameters: Record<string, unknown> } {
  const conditions: string[] = [];
  const parameters: Record<string, unknown> = {};
  if (filter.modality) {
    conditions.push('EXISTS (SELECT 1 FROM series WHERE series.study_id = studies.id AND series.modality = @modality)');
    parameters.modality = filter.modality;
  }
  if (filter.bodyPart) {
    conditions.push(
      'EXISTS (SELECT 1 FROM series WHERE series.study_id = studies.id AND series.body_part = @bodyPart)',
    );
    parameters.bodyPart = filter.bodyPart;
  }
  if (filter.viewPosition) {
    conditions.push(
      'EXISTS (SELECT 1 FROM images JOIN series ON series.id = images.series_id WHERE series.study_id = studies.id AND images.view_position = @viewPosition)',
    );
    parameters.viewPosition = filter.viewPosition;
  }
  if (filter.dateFrom) {
    conditions.push('studies.study_date >= @dateFrom');
    parameters.dateFrom = filter.dateFrom;
  }
  if (filter.dateTo) {
    conditions.push('studies.study_date <= @dateTo');
    parameters.dateTo = filter.dateTo;
  }
  if (filter.hasReport !== undefined)
    conditions.push(
      `${filter.hasReport ? '' : 'NOT '}EXISTS (SELECT 1 FROM reports WHERE reports.study_id = studies.id)`,
    );
  if (filter.labelTask) {
    conditions.push(
      `EXISTS (SELECT 1 FROM labels WHERE labels.study_id = studies.id AND labels.task = @labelTask${filter.labelValue ? ' AND labels.value = @labelValue' : ''})`,
    );
    parameters.labelTask = filter.labelTask;
    if (filter.labelValue) parameters.labelValue = filter.labelValue;
  }
  if (filter.predictionRunId) {
    conditions.push(
      `EXISTS (SELECT 1 FROM predictions JOIN images ON images.id = predictions.image_id JOIN series ON series.id = images.series_id WHERE series.study_id = studies.id AND predictions.run_id = @predictionRunId AND predictions.score >= @minimumPredictionScore${filter.predictedClass ? ' AND predictions.predicted_class = @predictedClass' : ''})`,
    );
    parameters.predictionRunId = filter.predictionRunId;
    // A multi-class score is the predicted class's probability; without a class, any confident prediction counts.
    parameters.minimumPredictionScore = filter.minimumPredictionScore ?? (filter.predictedClass ? 0 : 0.5);
    if (filter.predictedClass) parameters.predictedClass = filter.predictedClass;
  }
  return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', parameters };
}

function toStudy(row: Record<string, unknown>): StudyListItem {
  return { ...(row as unknown as StudyListItem), hasReport: Boolean(row.hasReport) };
}

export function listStudies(
  database: Database.Database,
  filter: StudyFilter,
  offset: number,
  limit: number,
): { total: number; studies: StudyListItem[] } {
  const { where, parameters } = filterClause(filter);
  const total = (
    database.prepare(`SELECT count(*) AS count FROM studies ${where}`).get(parameters) as { count: number }
  ).count;
  // Under a classifier filter each study carries the score that let it through, for its card to show.
  const predictionScore = filter.predictionRunId
    ? `, (SELECT max(predictions.score) FROM predictions JOIN images ON images.id = predictions.image_id JOIN series ON series.id = images.series_id
         WHERE series.study_id = studies.id AND predictions.run_id = @predictionRunId${filter.predictedClass ? ' AND predictions.predicted_class = @predictedClass' : ''}) AS predictionScore`
    : '';
  const rows = database
    .prepare(
      `SELECT ${studyColumns}${predictionScore} FROM studies JOIN patients ON patients.id = studies.patient_id ${where} ORDER BY studies.study_date DESC, studies.id DESC LIMIT @limit OFFSET @offset`,
    )
    .all({ ...parameters, limit, offset }) as Array<Record<string, unknown>>;
  return { total, studies: rows.map(toStudy) };
}

export function studyDetail(database: Database.Database, studyId: number): StudyDetail {
  const row = database
    .prepare(
      `SELECT ${studyColumns} FROM studies JOIN patients ON patients.id = studies.patient_id WHERE studies.id = ?`,
    )
    .get(studyId) as Record<string, unknown> | undefined;
  if (!row) throw new ApiError('not-found', `No study with id ${studyId}.`);
  const images = database
    .prepare(
      `SELECT images.id, sop_instance_uid AS sopInstanceUid, series.series_instance_uid AS seriesInstanceUid,
         series.series_number AS seriesNumber, series.description AS seriesDescription, images.instance_number AS instanceNumber, series.modality, series.body_part AS bodyPart,
         view_position AS viewPosition, rows, columns, number_of_frames AS numberOfFrames, transfer_syntax_uid AS transferSyntaxUid,
         photometric_interpretation AS photometricInterpretation, window_center AS windowCenter, window_width AS windowWidth
       FROM images JOIN series ON series.id = images.series_id WHERE series.study_id = ? ORDER BY series.series_number, images.instance_number, images.id`,
    )
    .all(studyId) as Array<Omit<StudyDetail['images'][number], 'transferSyntaxName'>>;
  const reports = database
    .prepare('SELECT id, source, source_path AS sourcePath, text FROM reports WHERE study_id = ? ORDER BY id')
    .all(studyId) as StudyDetail['reports'];
  const labels = database
    .prepare('SELECT task, value, source FROM labels WHERE study_id = ? ORDER BY task')
    .all(studyId) as StudyDetail['labels'];
  return {
    study: toStudy(row),
    images: images.map((image) => ({
      ...image,
      transferSyntaxName: transferSyntax(image.transferSyntaxUid)?.name ?? image.transferSyntaxUid,
    })),
    reports,
    labels,
  };
}

/**
 * `length` bytes at `offset` of a cache file (the whole file when no length is recorded), or null when they are not all
 * there.
 */
function readCacheBytes(file: string, offset: number, length: number | null): Buffer | null {
  try {
    const bytes = readFileRange(file, offset, length);
    return bytes.length > 0 && (length === null || bytes.length === length) ? bytes : null;
  } catch {
    return null;
  }
}

/**
 * An image's thumbnail as a PNG data URL: grey levels from a cache pack made a PNG now, or a PNG file of an earlier
 * import.
 */
export function thumbnailDataUrl(database: Database.Database, libraryPath: string, imageId: number): string {
  const row = database
    .prepare(
      'SELECT thumbnail_path AS file, thumbnail_offset AS offset, thumbnail_width AS width, thumbnail_height AS height FROM images WHERE id = ?',
    )
    .get(imageId) as { file: string; offset: number; width: number | null; height: number | null } | undefined;
  if (!row) throw new ApiError('not-found', `No image with id ${imageId}.`);
  const stored = readCacheBytes(
    path.join(libraryPath, row.file),
    row.offset,
    row.width !== null && row.height !== null ? row.width * row.height : null,
  );
  if (!stored)
    throw new ApiError(
      'not-found',
      `The thumbnail of image ${imageId} is missing from the cache; re-import its folder.`,
    );
  const png = row.width !== null && row.height !== null ? encodeGrayPng(row.width, row.height, stored) : stored;
  return `data:image/png;base64,${png.toString('base64')}`;
}

export function unmatchedReports(database: Database.Database, limit: number) {
  return (
    database
      .prepare(
        'SELECT id, source, source_path AS sourcePath, match_key AS matchKey, text FROM reports WHERE study_id IS NULL AND duplicate_of IS NULL ORDER BY source_path, id LIMIT ?',
      )
      .all(limit) as Array<{
      id: number;
      source: string;
      sourcePath: string;
      matchKey: string | null;
      text: string;
    }>
  ).map(({ text, ...rest }) => ({ ...rest, excerpt: text.slice(0, 200) }));
}

function labelValuesByTask(database: Database.Database): Record<string, Array<{ value: string; studies: number }>> {
  const byTask: Record<string, Array<{ value: string; studies: number }>> = {};
  for (const row of database
    .prepare(
      'SELECT task, value, count(DISTINCT study_id) AS studies FROM labels GROUP BY task, value ORDER BY task, value',
    )
    .all() as Array<{ task: string; value: string; studies: number }>)
    (byTask[row.task] ??= []).push({ value: row.value, studies: row.studies });
  return byTask;
}

export function importedFiles(
  database: Database.Database,
  options: { folder?: string | undefined; outcome?: string | undefined; offset: number; limit: number },
): { total: number; files: ImportedFile[] } {
  // The folder as the catalog names it (an import summary's `folder`), pseudonymised or not.
  const conditions: string[] = [];
  const parameters: Record<string, unknown> = { offset: options.offset, limit: options.limit };
  if (options.folder) {
    conditions.push('path >= @from AND path < @to');
    [parameters.from, parameters.to] = pathRange(path.resolve(options.folder));
  }
  if (options.outcome) {
    conditions.push('outcome = @outcome');
    parameters.outcome = options.outcome;
  }
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const total = (database.prepare(`SELECT count(*) AS count FROM files ${where}`).get(parameters) as { count: number })
    .count;
  const files = database
    .prepare(
      `SELECT path, outcome, reason, kind, duplicate_of AS duplicateOf FROM files ${where} ORDER BY path LIMIT @limit OFFSET @offset`,
    )
    .all(parameters) as ImportedFile[];
  return { total, files };
}
