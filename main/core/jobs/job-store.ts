import type Database from 'better-sqlite3';
import type { Job, JobKind, JobProgress, JobState } from '../../../common/contract/index.js';

interface JobRow {
  id: string;
  kind: JobKind;
  state: JobState;
  parameters_json: string;
  progress_done: number;
  progress_total: number;
  progress_unit: string;
  progress_rate_per_second: number | null;
  progress_eta_seconds: number | null;
  progress_message: string | null;
  result_json: string | null;
  error: string | null;
  owner_process_id: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

function jobFromRow(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    parameters: JSON.parse(row.parameters_json) as Record<string, unknown>,
    progress: {
      done: row.progress_done,
      total: row.progress_total,
      unit: row.progress_unit,
      ratePerSecond: row.progress_rate_per_second,
      etaSeconds: row.progress_eta_seconds,
      message: row.progress_message,
    },
    result: row.result_json === null ? null : (JSON.parse(row.result_json) as Record<string, unknown>),
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** Persisted job records, so the UI, the CLI and a restarted app all see the same history. */
export class JobStore {
  constructor(private readonly database: Database.Database) {}

  insert(job: Job): void {
    this.database
      .prepare(
        `INSERT INTO jobs (id, kind, state, parameters_json, progress_done, progress_total, progress_unit,
           created_at, owner_process_id)
         VALUES (@id, @kind, @state, @parameters, @done, @total, @unit, @createdAt, @owner)`,
      )
      .run({
        id: job.id,
        kind: job.kind,
        state: job.state,
        parameters: JSON.stringify(job.parameters),
        done: job.progress.done,
        total: job.progress.total,
        unit: job.progress.unit,
        createdAt: job.createdAt,
        owner: process.pid,
      });
  }

  saveProgress(jobId: string, progress: JobProgress): void {
    this.database
      .prepare(
        `UPDATE jobs SET progress_done = ?, progress_total = ?, progress_unit = ?, progress_rate_per_second = ?,
           progress_eta_seconds = ?, progress_message = ? WHERE id = ?`,
      )
      .run(
        progress.done,
        progress.total,
        progress.unit,
        progress.ratePerSecond,
        progress.etaSeconds,
        progress.message,
        jobId,
      );
  }

  saveState(job: Job): void {
    this.database
      .prepare(
        `UPDATE jobs SET state = ?, result_json = ?, error = ?, started_at = ?, finished_at = ?, progress_done = ?,
           progress_total = ?, progress_rate_per_second = ?, progress_eta_seconds = ?, progress_message = ? WHERE id = ?`,
      )
      .run(
        job.state,
        job.result === null ? null : JSON.stringify(job.result),
        job.error,
        job.startedAt,
        job.finishedAt,
        job.progress.done,
        job.progress.total,
        job.progress.ratePerSecond,
        job.progress.etaSeconds,
        job.progress.message,
        job.id,
      );
  }

  get(jobId: string): Job | null {
    const row = this.database.prepare('SELECT * FROM jobs WHERE id = ?').get(jobId) as JobRow | undefined;
    return row ? jobFromRow(row) : null;
  }

  list(limit: number): Job[] {
    const rows = this.database
      .prepare('SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?')
      .all(limit) as JobRow[];
    return rows.map(jobFromRow);
  }

  /**
   * Jobs left queued or running by a process that no longer exists (a crash, a kill, a power cut) can never finish:
   * mark them failed with that reason so nobody waits on them.
   */
  failOrphanedJobs(isProcessAlive: (processId: number) => boolean, now: string): Job[] {
    const rows = this.database.prepare("SELECT * FROM jobs WHERE state IN ('queued', 'running')").all() as JobRow[];
    const orphaned = rows.filter((row) => row.owner_process_id === null || !isProcessAlive(row.owner_process_id));
    const mark = this.database.prepare(
      "UPDATE jobs SET state = 'failed', error = ?, finished_at = ?, progress_eta_seconds = NULL WHERE id = ?",
    );
    this.database.transaction(() => {
      for (const row of orphaned) {
        mark.run(
          `Interrupted: the Unisight process running this job (pid ${row.owner_process_id}) stopped before it finished.`,
          now,
          row.id,
        );
      }
    })();
    return orphaned.map((row) => this.get(row.id)).filter((job): job is Job => job !== null);
  }
}
