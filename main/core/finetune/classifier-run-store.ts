import type Database from 'better-sqlite3';
import type { PredictionCsvRow } from '../../../common/predictions-csv.js';
import { ApiError } from '../../api/api-error.js';
import { predictedClass } from '../../../ml/evaluation/multiclass-metrics.js';
import {
  ClassificationEvaluation,
  ClassifierMetric,
  type ClassifierRun,
  FinetuneRequest,
  TaskSplitSettings,
} from '../../../common/contract/finetune.js';

type RunState = ClassifierRun['state'];

interface ClassifierRunRow {
  id: string;
  name: string;
  task: string;
  method: ClassifierRun['method'];
  td_calib: number;
  model_id: string | null;
  state: RunState;
  last_job_id: string | null;
  run_directory: string;
  options_json: string;
  split_json: string;
  description_json: string | null;
  result_json: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  prediction_count: number;
}

export interface NewClassifierRun {
  id: string;
  name: string;
  modelId: string;
  runDirectory: string;
  options: FinetuneRequest;
  split: TaskSplitSettings;
}

function runFromRow(row: ClassifierRunRow): ClassifierRun {
  const result =
    row.result_json === null
      ? null
      : (JSON.parse(row.result_json) as {
          validation?: unknown;
          test?: unknown;
          parameterCount?: { trainable: number; frozen: number };
        });
  return {
    id: row.id,
    name: row.name,
    task: row.task,
    method: row.method,
    tdCalib: row.td_calib === 1,
    modelId: row.model_id,
    state: row.state,
    lastJobId: row.last_job_id,
    // Runs recorded before studies were the unit of training took every image as its own example.
    options: FinetuneRequest.parse({ studyImages: 'every', ...(JSON.parse(row.options_json) as object) }),
    split: TaskSplitSettings.parse(JSON.parse(row.split_json)),
    description: row.description_json === null ? null : (JSON.parse(row.description_json) as Record<string, unknown>),
    validation: result?.validation ? ClassificationEvaluation.parse(result.validation) : null,
    test: result?.test ? ClassificationEvaluation.parse(result.test) : null,
    parameterCount: result?.parameterCount ?? null,
    predictions: row.prediction_count,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

const selectRuns =
  'SELECT classifier_runs.*, (SELECT count(*) FROM predictions WHERE predictions.run_id = classifier_runs.id) AS prediction_count FROM classifier_runs';

/** Fine-tuning runs, their curves and the predictions of their classifiers, kept in the catalog. */
export class ClassifierRunStore {
  constructor(
    private readonly database: Database.Database,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  create(run: NewClassifierRun): void {
    const now = this.now();
    this.database
      .prepare(
        `INSERT INTO classifier_runs (id, name, task, method, td_calib, model_id, state, run_directory, options_json, split_json, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)`,
      )
      .run(
        run.id,
        run.name,
        run.options.task,
        run.options.method,
        run.options.tdCalib ? 1 : 0,
        run.modelId,
        run.runDirectory,
        JSON.stringify(run.options),
        JSON.stringify(run.split),
        now,
        now,
      );
  }

  get(runId: string): ClassifierRun {
    return runFromRow(this.row(runId));
  }

  runDirectory(runId: string): string {
    return this.row(runId).run_directory;
  }

  list(limit: number): ClassifierRun[] {
    return (
      this.database
        .prepare(`${selectRuns} ORDER BY created_at DESC, rowid DESC LIMIT ?`)
        .all(limit) as ClassifierRunRow[]
    ).map(runFromRow);
  }

  assignJob(runId: string, jobId: string): void {
    this.database
      .prepare('UPDATE classifier_runs SET last_job_id = ?, updated_at = ? WHERE id = ?')
      .run(jobId, this.now(), runId);
  }

  setState(runId: string, state: RunState, error: string | null = null): void {
    const finished = state === 'queued' || state === 'running' ? null : this.now();
    this.database
      .prepare('UPDATE classifier_runs SET state = ?, error = ?, finished_at = ?, updated_at = ? WHERE id = ?')
      .run(state, error, finished, this.now(), runId);
  }

  /** A (re)started run's description; its curves so far are kept, an earlier attempt's test result is not. */
  recordStart(runId: string, description: Record<string, unknown>): void {
    this.database.transaction(() => {
      this.database.prepare("DELETE FROM classifier_metrics WHERE run_id = ? AND kind = 'test'").run(runId);
      this.database
        .prepare("UPDATE classifier_runs SET state = 'running', description_json = ?, updated_at = ? WHERE id = ?")
        .run(JSON.stringify(description), this.now(), runId);
    })();
  }

  recordMetric(metric: ClassifierMetric): void {
    this.database
      .prepare('INSERT INTO classifier_metrics (run_id, kind, step, values_json, recorded_at) VALUES (?, ?, ?, ?, ?)')
      .run(metric.runId, metric.kind, metric.step, JSON.stringify(metric.values), this.now());
  }

  metrics(runId: string): ClassifierMetric[] {
    this.row(runId);
    const rows = this.database
      .prepare(
        'SELECT run_id AS runId, kind, step, values_json AS valuesJson FROM classifier_metrics WHERE run_id = ? ORDER BY id',
      )
      .all(runId) as Array<{ runId: string; kind: ClassifierMetric['kind']; step: number; valuesJson: string }>;
    return rows.map((row) => ({
      runId: row.runId,
      kind: row.kind,
      step: row.step,
      values: JSON.parse(row.valuesJson) as Record<string, unknown>,
    }));
  }

  /** The finished run's evaluations and its classifier's score for every image, stored together. */
  recordResult(
    runId: string,
    result: Record<string, unknown>,
    predictions: {
      imageIds: readonly number[];
      classes: readonly string[];
      probabilities: Float32Array;
      split: readonly string[];
    },
  ): void {
    const run = this.row(runId);
    const insert = this.database.prepare(
      'INSERT INTO predictions (run_id, image_id, task, score, split, predicted_class) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const count = predictions.classes.length;
    this.database.transaction(() => {
      this.database.prepare('DELETE FROM predictions WHERE run_id = ?').run(runId);
      predictions.imageIds.forEach((imageId, index) => {
        const row = predictions.probabilities.subarray(index * count, (index + 1) * count);
        const predicted = predictedClass(row);
        // Binary: the probability of the positive class (what the Library's score filter reads); else the predicted
        // class's.
        const score = count === 2 ? row[1]! : row[predicted]!;
        insert.run(
          runId,
          imageId,
          run.task,
          score,
          predictions.split[index]!,
          count === 2 ? null : predictions.classes[predicted]!,
        );
      });
      this.database
        .prepare(
          "UPDATE classifier_runs SET result_json = ?, state = 'succeeded', error = NULL, finished_at = ?, updated_at = ? WHERE id = ?",
        )
        .run(JSON.stringify(result), this.now(), this.now(), runId);
    })();
  }

  /** Rows of the predictions export: one per image, with its identifiers and the classifier's score. */
  predictions(runId: string): PredictionCsvRow[] {
    this.row(runId);
    return this.database
      .prepare(
        `SELECT studies.study_instance_uid AS studyInstanceUid, series.series_instance_uid AS seriesInstanceUid, images.sop_instance_uid AS sopInstanceUid,
           patients.pseudonym AS patientPseudonym, predictions.score AS score, predictions.predicted_class AS predictedClass, predictions.split AS split
         FROM predictions JOIN images ON images.id = predictions.image_id JOIN series ON series.id = images.series_id
         JOIN studies ON studies.id = series.study_id JOIN patients ON patients.id = studies.patient_id
         WHERE predictions.run_id = ? ORDER BY predictions.score DESC, images.id`,
      )
      .all(runId) as PredictionCsvRow[];
  }

  markInterrupted(jobIds: readonly string[]): string[] {
    const mark = this.database.prepare(
      "UPDATE classifier_runs SET state = 'interrupted', error = ?, finished_at = ?, updated_at = ? WHERE last_job_id = ? AND state IN ('queued', 'running') RETURNING id",
    );
    return this.database.transaction(() =>
      jobIds.flatMap((jobId) =>
        (
          mark.all(
            'The process running this fine-tuning stopped before it finished; resume continues from the last checkpoint.',
            this.now(),
            this.now(),
            jobId,
          ) as Array<{ id: string }>
        ).map((row) => row.id),
      ),
    )();
  }

  private row(runId: string): ClassifierRunRow {
    const row = this.database.prepare(`${selectRuns} WHERE id = ?`).get(runId) as ClassifierRunRow | undefined;
    if (!row) throw new ApiError('not-found', `No fine-tuning run with id ${runId}.`);
    return row;
  }
}
