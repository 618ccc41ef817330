import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import {
  DatasetSplitSummary,
  ImageProbeResult,
  PretrainOptions,
  RetrievalMetrics,
  TrainingMetric,
  type TrainingRun,
  type TrainingRunState,
} from '../../../common/contract/index.js';
import { EncoderConfig } from '../../../common/encoder-config.js';

interface TrainingRunRow {
  id: string;
  kind: 'pretrain';
  name: string;
  state: TrainingRunState;
  last_job_id: string | null;
  run_directory: string;
  options_json: string;
  encoder_json: string;
  dataset_json: string;
  backend: string | null;
  step: number;
  total_steps: number | null;
  description_json: string | null;
  validation_json: string | null;
  test_json: string | null;
  image_probe_json: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  model_id: string | null;
}

export interface NewTrainingRun {
  id: string;
  name: string;
  runDirectory: string;
  options: PretrainOptions;
  encoder: EncoderConfig;
  dataset: DatasetSplitSummary;
}

/** What the engine reports once a run has started: its backend and size. */
export interface RunDescription {
  backend: string;
  step: number;
  totalSteps: number;
  parameterCount: number;
}

const parseMetrics = (json: string | null) => (json === null ? null : RetrievalMetrics.parse(JSON.parse(json)));

function runFromRow(row: TrainingRunRow): TrainingRun {
  const description =
    row.description_json === null ? null : (JSON.parse(row.description_json) as { parameterCount?: number });
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    state: row.state,
    lastJobId: row.last_job_id,
    options: PretrainOptions.parse(JSON.parse(row.options_json)),
    encoder: EncoderConfig.parse(JSON.parse(row.encoder_json)),
    dataset: DatasetSplitSummary.parse(JSON.parse(row.dataset_json)),
    backend: row.backend,
    step: row.step,
    totalSteps: row.total_steps,
    parameterCount: description?.parameterCount ?? null,
    validation: parseMetrics(row.validation_json),
    test: parseMetrics(row.test_json),
    imageProbe: row.image_probe_json === null ? null : ImageProbeResult.array().parse(JSON.parse(row.image_probe_json)),
    modelId: row.model_id,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

const selectRuns = `SELECT training_runs.*, (SELECT id FROM models WHERE models.run_id = training_runs.id LIMIT 1) AS model_id FROM training_runs`;

/** Training runs and their metric history in the catalog, so curves and results survive restarts. */
export class TrainingRunStore {
  constructor(
    private readonly database: Database.Database,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  create(run: NewTrainingRun): void {
    const now = this.now();
    this.database
      .prepare(
        `INSERT INTO training_runs (id, kind, name, state, run_directory, options_json, encoder_json, dataset_json, created_at, updated_at)
         VALUES (?, 'pretrain', ?, 'queued', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.id,
        run.name,
        run.runDirectory,
        JSON.stringify(run.options),
        JSON.stringify(run.encoder),
        JSON.stringify(run.dataset),
        now,
        now,
      );
  }

  get(runId: string): TrainingRun {
    return runFromRow(this.row(runId));
  }

  runDirectory(runId: string): string {
    return this.row(runId).run_directory;
  }

  list(limit: number): TrainingRun[] {
    return (
      this.database.prepare(`${selectRuns} ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(limit) as TrainingRunRow[]
    ).map(runFromRow);
  }

  assignJob(runId: string, jobId: string): void {
    this.database
      .prepare('UPDATE training_runs SET last_job_id = ?, updated_at = ? WHERE id = ?')
      .run(jobId, this.now(), runId);
  }

  setState(runId: string, state: TrainingRunState, error: string | null = null): void {
    const finished = state === 'queued' || state === 'running' ? null : this.now();
    this.database
      .prepare('UPDATE training_runs SET state = ?, error = ?, finished_at = ?, updated_at = ? WHERE id = ?')
      .run(state, error, finished, this.now(), runId);
  }

  /**
   * A (re)started run reports where it begins: curve points past that step came from work the checkpoint does not
   * hold (a crash between checkpoints) and are replaced by the repeated steps.
   */
  recordStart(runId: string, description: RunDescription, details: Record<string, unknown>): void {
    this.database.transaction(() => {
      this.database.prepare('DELETE FROM training_metrics WHERE run_id = ? AND step > ?').run(runId, description.step);
      this.database
        .prepare(
          "UPDATE training_runs SET state = 'running', backend = ?, step = ?, total_steps = ?, description_json = ?, updated_at = ? WHERE id = ?",
        )
        .run(
          description.backend,
          description.step,
          description.totalSteps,
          JSON.stringify({ ...details, parameterCount: description.parameterCount }),
          this.now(),
          runId,
        );
    })();
  }

  recordMetric(metric: TrainingMetric): void {
    this.database.transaction(() => {
      this.database
        .prepare('INSERT INTO training_metrics (run_id, kind, step, values_json, recorded_at) VALUES (?, ?, ?, ?, ?)')
        .run(metric.runId, metric.kind, metric.step, JSON.stringify(metric.values), this.now());
      this.database
        .prepare('UPDATE training_runs SET step = max(step, ?), updated_at = ? WHERE id = ?')
        .run(metric.step, this.now(), metric.runId);
      if (metric.kind === 'image-probe')
        this.database
          .prepare('UPDATE training_runs SET image_probe_json = ? WHERE id = ?')
          .run(JSON.stringify(ImageProbeResult.array().parse(metric.values.imageProbe)), metric.runId);
      if (metric.kind === 'validation' || metric.kind === 'test') {
        const retrieval = RetrievalMetrics.parse(metric.values.retrieval);
        this.database
          .prepare(`UPDATE training_runs SET ${metric.kind}_json = ? WHERE id = ?`)
          .run(JSON.stringify(retrieval), metric.runId);
      }
    })();
  }

  metrics(runId: string): TrainingMetric[] {
    this.row(runId);
    const rows = this.database
      .prepare(
        'SELECT run_id AS runId, kind, step, values_json AS valuesJson FROM training_metrics WHERE run_id = ? ORDER BY step, id',
      )
      .all(runId) as Array<{ runId: string; kind: TrainingMetric['kind']; step: number; valuesJson: string }>;
    return rows.map((row) => ({
      runId: row.runId,
      kind: row.kind,
      step: row.step,
      values: JSON.parse(row.valuesJson) as Record<string, unknown>,
    }));
  }

  /** Runs whose job can no longer finish (the process running it stopped) become resumable `interrupted` runs. */
  markInterrupted(jobIds: readonly string[]): string[] {
    const mark = this.database.prepare(
      "UPDATE training_runs SET state = 'interrupted', error = ?, finished_at = ?, updated_at = ? WHERE last_job_id = ? AND state IN ('queued', 'running') RETURNING id",
    );
    return this.database.transaction(() =>
      jobIds.flatMap((jobId) =>
        (
          mark.all(
            'The process running this training stopped before it finished; resume continues from the last checkpoint.',
            this.now(),
            this.now(),
            jobId,
          ) as Array<{ id: string }>
        ).map((row) => row.id),
      ),
    )();
  }

  private row(runId: string): TrainingRunRow {
    const row = this.database.prepare(`${selectRuns} WHERE id = ?`).get(runId) as TrainingRunRow | undefined;
    if (!row) throw new ApiError('not-found', `No training run with id ${runId}.`);
    return row;
  }
}
