import type { Job } from '../../common/contract/index.js';
import type { CliOutput } from './cli-command.js';

function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

export function formatJobProgress(job: Job): string {
  const { done, total, unit, ratePerSecond, etaSeconds, message } = job.progress;
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const width = 24;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const rate = ratePerSecond === null ? '' : ` ${ratePerSecond.toFixed(1)} ${unit}/s`;
  return `${bar} ${String(Math.round(fraction * 100)).padStart(3)}% ${done}/${total} ${unit}${rate} ETA ${formatSeconds(etaSeconds)}${message ? ` · ${message}` : ''}`;
}

/** Prints a job's progress at most once a second (a live line on a terminal). */
export function createJobProgressPrinter(output: CliOutput, jobId: string): (job: Job) => void {
  let lastPrinted = 0;
  const live = process.stderr.isTTY && !output.json;
  return (job) => {
    if (job.id !== jobId || job.state !== 'running') return;
    const now = Date.now();
    if (now - lastPrinted < (live ? 100 : 1000)) return;
    lastPrinted = now;
    if (live) process.stderr.write(`\r${formatJobProgress(job).slice(0, (process.stderr.columns ?? 120) - 1)}\x1b[K`);
    else output.say(formatJobProgress(job));
  };
}
