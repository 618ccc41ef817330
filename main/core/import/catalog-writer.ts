import type Database from 'better-sqlite3';
import type { CatalogPaths } from '../library/catalog-paths.js';
import type { FailureKind } from './failure-kind.js';
import type { Pseudonymiser } from '../library/pseudonymiser.js';
import type { ProcessFileResult } from './process-file.js';
import type { WalkedFile } from './walk-folder.js';

export type FileOutcome = 'imported' | 'duplicate' | 'skipped' | 'failed';

export interface WrittenFile {
  path: string;
  outcome: FileOutcome;
  reason: string | null;
  kind: 'image' | 'structured-report' | 'report-text' | 'other';
}

type Metadata = Extract<ProcessFileResult, { outcome: 'image' }>['metadata'];

/** An `interrupted` failure: nothing is wrong with the file itself. */
export const copyOfChangedReason = 'the file it copies changed during this import';

/**
 * One reason per kind of duplicate, so the summary counts them in one line each; `files.duplicate_of` names the file
 * kept.
 */
export const duplicateReasons = {
  sameContent: 'same content as a file already imported',
  sameInstance: 'same SOP Instance UID as a file already imported',
  sameReportText: 'the study already has this report text',
} as const;

/**
 * One row of the per-file log. `studyId`: the study of an image file, a duplicate's too, so reports beside it find
 * their study.
 */
interface FileRecord {
  sha256: string | null;
  kind: string;
  outcome: FileOutcome;
  reason?: string | null;
  failureKind?: FailureKind | null;
  studyId?: number | null;
  duplicateOf?: string | null;
}

/** Writes processed files into the catalog; one call is one transaction, so a killed import leaves whole files only. */
export class CatalogWriter {
  private readonly statements;

  constructor(
    private readonly database: Database.Database,
    private readonly pseudonymiser: Pseudonymiser,
    private readonly paths: CatalogPaths,
    private readonly keepIdentifiers: boolean,
  ) {
    this.statements = {
      patient: database.prepare(
        `INSERT INTO patients (pseudonym, sex, raw_patient_id, raw_patient_name) VALUES (@pseudonym, @sex, @rawId, @rawName)
         ON CONFLICT (pseudonym) DO UPDATE SET sex = coalesce(excluded.sex, sex) RETURNING id`,
      ),
      study: database.prepare(
        `INSERT INTO studies (study_instance_uid, patient_id, study_date, accession_number, description)
         VALUES (@uid, @patientId, @date, @accession, @description)
         ON CONFLICT (study_instance_uid) DO UPDATE SET study_date = coalesce(study_date, excluded.study_date),
           accession_number = coalesce(accession_number, excluded.accession_number), description = coalesce(description, excluded.description)
         RETURNING id`,
      ),
      series: database.prepare(
        `INSERT INTO series (series_instance_uid, study_id, modality, body_part, description, series_number)
         VALUES (@uid, @studyId, @modality, @bodyPart, @description, @number)
         ON CONFLICT (series_instance_uid) DO UPDATE SET modality = coalesce(modality, excluded.modality) RETURNING id`,
      ),
      file: database.prepare(
        `INSERT INTO files (path, location, size_bytes, modified_ms, content_sha256, kind, outcome, reason, failure_kind, stale, study_id, duplicate_of, import_run_id, updated_at)
         VALUES (@path, @location, @size, @modified, @sha, @kind, @outcome, @reason, @failureKind, 0, @studyId, @duplicateOf, @run, @now)
         ON CONFLICT (path) DO UPDATE SET location = excluded.location, size_bytes = excluded.size_bytes, modified_ms = excluded.modified_ms,
           content_sha256 = excluded.content_sha256, kind = excluded.kind, outcome = excluded.outcome, reason = excluded.reason,
           failure_kind = excluded.failure_kind, stale = 0, study_id = excluded.study_id, duplicate_of = excluded.duplicate_of, import_run_id = excluded.import_run_id, updated_at = excluded.updated_at
         RETURNING id`,
      ),
      existingImage: database.prepare(
        'SELECT images.id, files.path FROM images JOIN files ON files.id = images.file_id WHERE sop_instance_uid = ?',
      ),
      image: database.prepare(
        `INSERT INTO images (sop_instance_uid, series_id, file_id, sop_class_uid, instance_number, view_position, rows, columns,
           bits_allocated, bits_stored, photometric_interpretation, number_of_frames, representative_frame, transfer_syntax_uid,
           window_center, window_width, rescale_slope, rescale_intercept, model_image_path, model_image_offset, model_image_size, thumbnail_path, thumbnail_offset, thumbnail_width, thumbnail_height)
         VALUES (@sop, @seriesId, @fileId, @sopClass, @instance, @view, @rows, @columns, @bitsAllocated, @bitsStored, @photometric,
           @frames, @frame, @syntax, @center, @width, @slope, @intercept, @modelImage, @modelImageOffset, @modelSize, @thumbnail, @thumbnailOffset, @thumbnailWidth, @thumbnailHeight)`,
      ),
      removeFileImages: database.prepare('DELETE FROM images WHERE file_id = (SELECT id FROM files WHERE path = ?)'),
      importedWithContent: database.prepare(
        "SELECT study_id FROM files WHERE path = ? AND content_sha256 = ? AND outcome = 'imported'",
      ),
      // A rewritten file's duplicates may duplicate nothing now: they look changed (modified_ms -1) until processed
      // again.
      markDuplicatesStale: database.prepare('UPDATE files SET stale = 1 WHERE duplicate_of = ? AND path != ?'),
      report: database.prepare(
        `INSERT INTO reports (study_id, source, source_path, source_key, match_key, text) VALUES (@studyId, @source, @path, @key, @match, @text)
         ON CONFLICT (source_path, source_key) DO UPDATE SET study_id = excluded.study_id, match_key = excluded.match_key, text = excluded.text`,
      ),
    };
  }

  /** Writes a batch of processed files in one transaction. */
  writeBatch(
    batch: Array<{ walked: WalkedFile; result: ProcessFileResult }>,
    importRunId: string,
    modelImageSize: number,
  ): WrittenFile[] {
    return this.database.transaction(() =>
      batch.map(({ walked, result }) => this.writeOne(walked, result, importRunId, modelImageSize)),
    )();
  }

  private writeOne(
    walked: WalkedFile,
    result: ProcessFileResult,
    importRunId: string,
    modelImageSize: number,
  ): WrittenFile {
    const catalogPath = this.paths.catalogPath(walked.path);
    const file = { walked, catalogPath };
    this.statements.removeFileImages.run(catalogPath);
    this.statements.markDuplicatesStale.run(catalogPath, catalogPath);
    if ('reason' in result) {
      // Files that were never processed (operating-system junk, tables read in the linking step) are kind 'other'.
      const kind = walked.kind === 'report-text' ? 'report-text' : walked.kind === 'dicom' ? 'dicom' : 'other';
      this.saveFile(file, importRunId, {
        sha256: result.sha256,
        kind,
        outcome: result.outcome,
        reason: result.reason,
        failureKind: result.outcome === 'failed' ? (result.failureKind ?? 'content') : null,
      });
      return { path: catalogPath, outcome: result.outcome, reason: result.reason, kind: 'other' };
    }
    if (result.outcome === 'copy') {
      // The original may have changed in this very import; then this file is no copy of anything catalogued.
      const original = this.statements.importedWithContent.get(result.copyOf, result.sha256) as
        { study_id: number | null } | undefined;
      const [outcome, reason] = original
        ? (['duplicate', duplicateReasons.sameContent] as const)
        : (['failed', copyOfChangedReason] as const);
      this.saveFile(file, importRunId, {
        sha256: result.sha256,
        kind: 'dicom',
        outcome,
        reason,
        failureKind: original ? null : 'interrupted',
        studyId: original?.study_id ?? null,
        duplicateOf: original ? result.copyOf : null,
      });
      return { path: catalogPath, outcome, reason, kind: 'image' };
    }
    if (result.outcome === 'report-text') {
      this.saveFile(file, importRunId, { sha256: result.sha256, kind: 'report-text', outcome: 'imported' });
      this.statements.report.run({
        studyId: null,
        source: 'text-file',
        path: catalogPath,
        key: '',
        match: null,
        text: result.text,
      });
      return { path: catalogPath, outcome: 'imported', reason: null, kind: 'report-text' };
    }
    const studyId = this.study(result.metadata);
    if (result.outcome === 'structured-report') {
      this.saveFile(file, importRunId, { sha256: result.sha256, kind: 'dicom', outcome: 'imported' });
      this.statements.report.run({
        studyId,
        source: 'structured-report',
        path: catalogPath,
        key: '',
        match: result.metadata.studyInstanceUid,
        text: result.text,
      });
      return { path: catalogPath, outcome: 'imported', reason: null, kind: 'structured-report' };
    }
    const existing = this.statements.existingImage.get(result.metadata.sopInstanceUid) as
      { id: number; path: string } | undefined;
    if (existing && existing.path !== catalogPath) {
      const reason = duplicateReasons.sameInstance;
      this.saveFile(file, importRunId, {
        sha256: result.sha256,
        kind: 'dicom',
        outcome: 'duplicate',
        reason,
        studyId,
        duplicateOf: existing.path,
      });
      return { path: catalogPath, outcome: 'duplicate', reason, kind: 'image' };
    }
    const fileId = this.saveFile(file, importRunId, {
      sha256: result.sha256,
      kind: 'dicom',
      outcome: 'imported',
      studyId,
    });
    const seriesRow = this.statements.series.get({
      uid: result.metadata.seriesInstanceUid,
      studyId,
      modality: result.metadata.modality,
      bodyPart: result.metadata.bodyPartExamined,
      description: result.metadata.seriesDescription,
      number: result.metadata.seriesNumber,
    }) as { id: number };
    const { image } = result;
    this.statements.image.run({
      sop: result.metadata.sopInstanceUid,
      seriesId: seriesRow.id,
      fileId,
      sopClass: result.metadata.sopClassUid,
      instance: result.metadata.instanceNumber,
      view: result.metadata.viewPosition,
      rows: image.rows,
      columns: image.columns,
      bitsAllocated: image.bitsAllocated,
      bitsStored: image.bitsStored,
      photometric: image.photometricInterpretation,
      frames: image.numberOfFrames,
      frame: result.representativeFrame,
      syntax: result.transferSyntaxUid,
      center: image.windowCenter,
      width: image.windowWidth,
      slope: image.rescaleSlope,
      intercept: image.rescaleIntercept,
      modelImage: result.modelImagePath,
      modelImageOffset: result.modelImageOffset,
      modelSize: modelImageSize,
      thumbnail: result.thumbnailPath,
      thumbnailOffset: result.thumbnailOffset,
      thumbnailWidth: result.thumbnailWidth,
      thumbnailHeight: result.thumbnailHeight,
    });
    return { path: catalogPath, outcome: 'imported', reason: null, kind: 'image' };
  }

  private study(metadata: Metadata): number {
    const studyUid = metadata.studyInstanceUid!;
    const patient = this.statements.patient.get({
      pseudonym: this.pseudonymiser.patient(metadata.patientId, studyUid),
      sex: metadata.patientSex,
      rawId: this.keepIdentifiers ? metadata.patientId : null,
      rawName: this.keepIdentifiers ? metadata.patientName : null,
    }) as { id: number };
    const study = this.statements.study.get({
      uid: studyUid,
      patientId: patient.id,
      date: metadata.studyDate,
      accession: metadata.accessionNumber,
      description: metadata.studyDescription,
    }) as { id: number };
    return study.id;
  }

  private saveFile(
    { walked, catalogPath }: { walked: WalkedFile; catalogPath: string },
    importRunId: string,
    file: FileRecord,
  ): number {
    const row = this.statements.file.get({
      path: catalogPath,
      location: this.paths.seal(walked.path),
      size: walked.sizeBytes,
      modified: walked.modifiedMs,
      sha: file.sha256,
      kind: file.kind,
      outcome: file.outcome,
      // A system error's message may name the file: under its catalog path, as everywhere in the catalog.
      reason: file.reason?.replaceAll(walked.path, catalogPath) ?? null,
      failureKind: file.failureKind ?? null,
      studyId: file.studyId ?? null,
      duplicateOf: file.duplicateOf ?? null,
      run: importRunId,
      now: new Date().toISOString(),
    }) as { id: number };
    return row.id;
  }
}
