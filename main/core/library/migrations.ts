import type Database from 'better-sqlite3';
import { markRepresentativeSlices } from './representative-slices.js';

export interface Migration {
  version: number;
  name: string;
  up: (database: Database.Database) => void;
}

// Append only: a shipped migration never changes, so every library upgrades along the same path.
export const migrations: Migration[] = [
  {
    version: 1,
    name: 'library metadata and jobs',
    up: (database) => {
      database.exec(`
        CREATE TABLE library_meta (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) STRICT;
        CREATE TABLE jobs (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
          parameters_json TEXT NOT NULL,
          progress_done REAL NOT NULL DEFAULT 0,
          progress_total REAL NOT NULL DEFAULT 0,
          progress_unit TEXT NOT NULL DEFAULT 'steps',
          progress_rate_per_second REAL,
          progress_eta_seconds REAL,
          progress_message TEXT,
          result_json TEXT,
          error TEXT,
          owner_process_id INTEGER,
          created_at TEXT NOT NULL,
          started_at TEXT,
          finished_at TEXT
        ) STRICT;
        CREATE INDEX jobs_by_created_at ON jobs (created_at DESC);
        CREATE INDEX jobs_by_state ON jobs (state);
      `);
    },
  },
  {
    version: 2,
    name: 'catalog: patients, studies, series, images, reports, labels, files and import runs',
    up: (database) => {
      database.exec(`
        CREATE TABLE patients (
          id INTEGER PRIMARY KEY,
          pseudonym TEXT NOT NULL UNIQUE,
          sex TEXT,
          raw_patient_id TEXT,
          raw_patient_name TEXT
        ) STRICT;
        CREATE TABLE studies (
          id INTEGER PRIMARY KEY,
          study_instance_uid TEXT NOT NULL UNIQUE,
          patient_id INTEGER NOT NULL REFERENCES patients (id),
          study_date TEXT,
          accession_number TEXT,
          description TEXT
        ) STRICT;
        CREATE INDEX studies_by_accession ON studies (accession_number);
        CREATE INDEX studies_by_patient_date ON studies (patient_id, study_date);
        CREATE TABLE series (
          id INTEGER PRIMARY KEY,
          series_instance_uid TEXT NOT NULL UNIQUE,
          study_id INTEGER NOT NULL REFERENCES studies (id),
          modality TEXT,
          body_part TEXT,
          description TEXT,
          series_number INTEGER
        ) STRICT;
        CREATE TABLE import_runs (
          id TEXT PRIMARY KEY,
          root_path TEXT NOT NULL,
          started_at TEXT NOT NULL,
          finished_at TEXT,
          state TEXT NOT NULL,
          counts_json TEXT
        ) STRICT;
        CREATE TABLE files (
          id INTEGER PRIMARY KEY,
          path TEXT NOT NULL UNIQUE,
          size_bytes INTEGER NOT NULL,
          modified_ms INTEGER NOT NULL,
          content_sha256 TEXT,
          kind TEXT NOT NULL CHECK (kind IN ('dicom', 'report-text', 'manifest', 'other')),
          outcome TEXT NOT NULL CHECK (outcome IN ('imported', 'duplicate', 'skipped', 'failed')),
          reason TEXT,
          import_run_id TEXT REFERENCES import_runs (id),
          updated_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX files_by_outcome ON files (outcome);
        CREATE TABLE images (
          id INTEGER PRIMARY KEY,
          sop_instance_uid TEXT NOT NULL UNIQUE,
          series_id INTEGER NOT NULL REFERENCES series (id),
          file_id INTEGER NOT NULL REFERENCES files (id),
          sop_class_uid TEXT,
          instance_number INTEGER,
          view_position TEXT,
          rows INTEGER NOT NULL,
          columns INTEGER NOT NULL,
          bits_allocated INTEGER NOT NULL,
          bits_stored INTEGER NOT NULL,
          photometric_interpretation TEXT NOT NULL,
          number_of_frames INTEGER NOT NULL,
          representative_frame INTEGER NOT NULL,
          transfer_syntax_uid TEXT NOT NULL,
          window_center REAL,
          window_width REAL,
          rescale_slope REAL NOT NULL,
          rescale_intercept REAL NOT NULL,
          model_image_path TEXT NOT NULL,
          model_image_size INTEGER NOT NULL,
          thumbnail_path TEXT NOT NULL
        ) STRICT;
        CREATE INDEX images_by_series ON images (series_id);
        CREATE TABLE reports (
          id INTEGER PRIMARY KEY,
          study_id INTEGER REFERENCES studies (id),
          source TEXT NOT NULL CHECK (source IN ('text-file', 'manifest', 'structured-report')),
          source_path TEXT NOT NULL,
          source_key TEXT NOT NULL,
          match_key TEXT,
          text TEXT NOT NULL,
          UNIQUE (source_path, source_key)
        ) STRICT;
        CREATE INDEX reports_by_study ON reports (study_id);
        CREATE VIRTUAL TABLE reports_fts USING fts5 (text, content = 'reports', content_rowid = 'id', tokenize = 'porter unicode61');
        CREATE TRIGGER reports_after_insert AFTER INSERT ON reports BEGIN
          INSERT INTO reports_fts (rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER reports_after_delete AFTER DELETE ON reports BEGIN
          INSERT INTO reports_fts (reports_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        CREATE TRIGGER reports_after_update AFTER UPDATE OF text ON reports BEGIN
          INSERT INTO reports_fts (reports_fts, rowid, text) VALUES ('delete', old.id, old.text);
          INSERT INTO reports_fts (rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TABLE labels (
          id INTEGER PRIMARY KEY,
          study_id INTEGER NOT NULL REFERENCES studies (id),
          task TEXT NOT NULL,
          value TEXT NOT NULL,
          source TEXT NOT NULL,
          UNIQUE (study_id, task, source)
        ) STRICT;
      `);
    },
  },
  {
    version: 3,
    name: 'training runs with their metric history, and models',
    up: (database) => {
      database.exec(`
        CREATE TABLE training_runs (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL CHECK (kind IN ('pretrain')),
          name TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
          last_job_id TEXT,
          run_directory TEXT NOT NULL,
          options_json TEXT NOT NULL,
          encoder_json TEXT NOT NULL,
          dataset_json TEXT NOT NULL,
          backend TEXT,
          step INTEGER NOT NULL DEFAULT 0,
          total_steps INTEGER,
          description_json TEXT,
          validation_json TEXT,
          test_json TEXT,
          error TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          finished_at TEXT
        ) STRICT;
        CREATE INDEX training_runs_by_created_at ON training_runs (created_at DESC);
        CREATE TABLE training_metrics (
          id INTEGER PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES training_runs (id) ON DELETE CASCADE,
          kind TEXT NOT NULL CHECK (kind IN ('train', 'validation', 'test')),
          step INTEGER NOT NULL,
          values_json TEXT NOT NULL,
          recorded_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX training_metrics_by_run ON training_metrics (run_id, kind, step);
        CREATE TABLE models (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          origin TEXT NOT NULL CHECK (origin IN ('trained', 'imported')),
          run_id TEXT REFERENCES training_runs (id) ON DELETE SET NULL,
          architecture TEXT NOT NULL,
          config_json TEXT NOT NULL,
          tokenizer_fingerprint TEXT NOT NULL,
          split_json TEXT NOT NULL,
          metrics_json TEXT NOT NULL,
          weights_file TEXT NOT NULL,
          weights_bytes INTEGER NOT NULL,
          embeddings_file TEXT,
          embedded_images INTEGER NOT NULL DEFAULT 0,
          embedded_reports INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX models_by_created_at ON models (created_at DESC);
      `);
    },
  },
  {
    version: 4,
    name: 'fine-tuning runs, their metric history, and the predictions of their classifiers',
    up: (database) => {
      database.exec(`
        CREATE TABLE classifier_runs (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          task TEXT NOT NULL,
          method TEXT NOT NULL,
          td_calib INTEGER NOT NULL CHECK (td_calib IN (0, 1)),
          model_id TEXT REFERENCES models (id) ON DELETE SET NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
          last_job_id TEXT,
          run_directory TEXT NOT NULL,
          options_json TEXT NOT NULL,
          split_json TEXT NOT NULL,
          description_json TEXT,
          result_json TEXT,
          error TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          finished_at TEXT
        ) STRICT;
        CREATE INDEX classifier_runs_by_created_at ON classifier_runs (created_at DESC);
        CREATE TABLE classifier_metrics (
          id INTEGER PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES classifier_runs (id) ON DELETE CASCADE,
          kind TEXT NOT NULL CHECK (kind IN ('train', 'validation', 'test')),
          step INTEGER NOT NULL,
          values_json TEXT NOT NULL,
          recorded_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX classifier_metrics_by_run ON classifier_metrics (run_id, kind, step);
        CREATE TABLE predictions (
          run_id TEXT NOT NULL REFERENCES classifier_runs (id) ON DELETE CASCADE,
          image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
          task TEXT NOT NULL,
          score REAL NOT NULL,
          split TEXT NOT NULL CHECK (split IN ('train', 'validation', 'test', 'none')),
          PRIMARY KEY (run_id, image_id)
        ) STRICT;
        CREATE INDEX predictions_by_task ON predictions (task, score);
      `);
    },
  },
  {
    version: 5,
    name: 'vector indexes of models (sqlite-vec tables made per model), saved cohorts',
    up: (database) => {
      database.exec(`
        CREATE TABLE vector_indexes (
          id INTEGER PRIMARY KEY,
          model_id TEXT NOT NULL UNIQUE REFERENCES models (id) ON DELETE CASCADE,
          dimension INTEGER NOT NULL,
          image_table TEXT NOT NULL,
          report_table TEXT NOT NULL,
          images INTEGER NOT NULL DEFAULT 0,
          reports INTEGER NOT NULL DEFAULT 0,
          embeddings_bytes INTEGER NOT NULL DEFAULT 0,
          built_at TEXT NOT NULL
        ) STRICT;
        CREATE TABLE cohorts (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          query_json TEXT NOT NULL,
          created_at TEXT NOT NULL
        ) STRICT;
        CREATE TABLE cohort_members (
          cohort_id INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
          image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
          rank INTEGER NOT NULL,
          score REAL NOT NULL,
          PRIMARY KEY (cohort_id, image_id)
        ) STRICT;
      `);
    },
  },
  {
    version: 6,
    name: 'the predicted class of multi-class classifiers',
    up: (database) => {
      database.exec('ALTER TABLE predictions ADD COLUMN predicted_class TEXT');
    },
  },
  {
    version: 7,
    name: 'model images and thumbnails at places in pack files, images found by their file',
    // A file per model image and per thumbnail made creating files the import's most variable cost; imports now append
    // both to a few pack files, thumbnails as grey levels of the recorded size. Thumbnails written one per file by
    // earlier imports are PNG files (no size recorded), model images files of their own (offset 0).
    up: (database) => {
      // Every file the importer writes first removes its earlier images, and linking looks up studies by folder: both
      // went through images by file, which scanned the whole table (quadratic in the library's size). Removing an
      // image also looks for its predictions and cohort places.
      database.exec(`
        ALTER TABLE images ADD COLUMN model_image_offset INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE images ADD COLUMN thumbnail_offset INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE images ADD COLUMN thumbnail_width INTEGER;
        ALTER TABLE images ADD COLUMN thumbnail_height INTEGER;
        CREATE INDEX images_by_file ON images (file_id);
        CREATE INDEX predictions_by_image ON predictions (image_id);
        CREATE INDEX cohort_members_by_image ON cohort_members (image_id);
      `);
    },
  },
  {
    version: 8,
    name: 'vector indexes know the revision of the embeddings they were built from',
    // The byte size of the embeddings file stood for its identity, so an update that replaced vectors (a report whose
    // text changed) without changing the count went unnoticed.
    up: (database) => {
      database.exec(`
        ALTER TABLE vector_indexes ADD COLUMN embeddings_revision TEXT NOT NULL DEFAULT '';
        ALTER TABLE vector_indexes DROP COLUMN embeddings_bytes;
      `);
    },
  },
  {
    version: 9,
    name: 'the model the researcher chose for search',
    // Until then search used the newest trained model, so a quick trial run silently replaced a better model.
    up: (database) => {
      database.exec('ALTER TABLE models ADD COLUMN chosen_for_search_at TEXT');
    },
  },
  {
    version: 10,
    name: 'every image file knows its study, duplicates included',
    // Reports beside a copied study folder matched no study: its files were duplicates, and only images knew studies.
    up: (database) => {
      database.exec(`
        ALTER TABLE files ADD COLUMN study_id INTEGER REFERENCES studies (id);
        UPDATE files SET study_id = (SELECT series.study_id FROM images JOIN series ON series.id = images.series_id WHERE images.file_id = files.id);
        UPDATE files SET study_id = (SELECT kept.study_id FROM files AS kept WHERE kept.path = substr(files.reason, length('same SOP Instance UID as ') + 1))
          WHERE outcome = 'duplicate' AND reason LIKE 'same SOP Instance UID as %';
      `);
    },
  },
  {
    version: 11,
    name: 'files by content, so import workers find byte-identical copies before decoding them; duplicate files and reports name the one kept',
    // The kept file's path was part of the reason, which made every duplicate a reason of its own in the summary.
    up: (database) => {
      database.exec(`
        CREATE INDEX files_by_content ON files (content_sha256);
        ALTER TABLE files ADD COLUMN duplicate_of TEXT;
        CREATE INDEX files_by_duplicate_of ON files (duplicate_of);
        ALTER TABLE reports ADD COLUMN duplicate_of INTEGER REFERENCES reports (id);
        UPDATE files SET duplicate_of = substr(reason, length('same SOP Instance UID as ') + 1), reason = 'same SOP Instance UID as a file already imported'
          WHERE outcome = 'duplicate' AND reason LIKE 'same SOP Instance UID as %';
      `);
    },
  },
  {
    version: 12,
    name: "each pretraining run's image-side probe (a linear probe on the image embeddings per labelled task)",
    up: (database) => {
      // A CHECK cannot be altered in SQLite: the metrics table is made anew with the new kind and its rows copied.
      database.exec(`
        ALTER TABLE training_runs ADD COLUMN image_probe_json TEXT;
        CREATE TABLE training_metrics_new (
          id INTEGER PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES training_runs (id) ON DELETE CASCADE,
          kind TEXT NOT NULL CHECK (kind IN ('train', 'validation', 'test', 'image-probe')),
          step INTEGER NOT NULL,
          values_json TEXT NOT NULL,
          recorded_at TEXT NOT NULL
        ) STRICT;
        INSERT INTO training_metrics_new SELECT * FROM training_metrics;
        DROP TABLE training_metrics;
        ALTER TABLE training_metrics_new RENAME TO training_metrics;
        CREATE INDEX training_metrics_by_run ON training_metrics (run_id, kind, step);
      `);
    },
  },
  {
    version: 13,
    name: 'images smaller than the model image are enlarged to fill it: their files are imported again on the next import of their folder',
    // modified_ms = -1 never matches a file on disk, so the next import of the folder processes these files again.
    up: (database) => {
      database.exec(`
        UPDATE files SET modified_ms = -1
          WHERE id IN (SELECT file_id FROM images WHERE max(rows, columns) < model_image_size);
      `);
    },
  },
  {
    version: 14,
    name: 'files: the real path, sealed, for libraries that catalogue files under pseudonymised paths',
    up: (database) => {
      database.exec('ALTER TABLE files ADD COLUMN location TEXT');
    },
  },
  {
    version: 15,
    name: "files: why a file failed (failure_kind) and whether it must be read again (stale), in columns instead of the reason's words and modified_ms = -1",
    up: (database) => {
      database.exec(`
        ALTER TABLE files ADD COLUMN failure_kind TEXT CHECK (failure_kind IN ('content', 'resource', 'interrupted'));
        ALTER TABLE files ADD COLUMN stale INTEGER NOT NULL DEFAULT 0 CHECK (stale IN (0, 1));
        UPDATE files SET stale = 1 WHERE modified_ms = -1;
      `);
      // Until now the next import read these from the reason's words: the machine's error codes, and two sentences.
      const classify = database.prepare('UPDATE files SET failure_kind = ? WHERE id = ?');
      const failed = database.prepare("SELECT id, reason FROM files WHERE outcome = 'failed'").all() as Array<{
        id: number;
        reason: string | null;
      }>;
      for (const { id, reason } of failed) {
        const kind = /\bE(NOSPC|DQUOT|MFILE|NFILE|NOMEM|AGAIN)\b/.test(reason ?? '')
          ? 'resource'
          : reason === 'import stopped before this file was processed' ||
              reason === 'the file it copies changed during this import'
            ? 'interrupted'
            : 'content';
        classify.run(kind, id);
      }
    },
  },
  {
    version: 16,
    name: 'images: whether an image stands for its series (all of a projection series, five slices of a volume)',
    up: (database) => {
      database.exec(
        'ALTER TABLE images ADD COLUMN represents_series INTEGER NOT NULL DEFAULT 1 CHECK (represents_series IN (0, 1))',
      );
      markRepresentativeSlices(database);
    },
  },
];

export const latestSchemaVersion = migrations.at(-1)?.version ?? 0;
