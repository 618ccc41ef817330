import type {
  ApiEvent,
  EncoderPreset,
  PretrainRequest,
  TrainingMetric,
  TrainingRun,
} from '../../../common/contract/index.js';
import { appState } from './app-state.svelte.js';

/** A resumed run repeats the steps after its last checkpoint: a repeated point replaces the earlier one. */
function withMetric(history: TrainingMetric[], metric: TrainingMetric): TrainingMetric[] {
  return [...history.filter((existing) => !(existing.kind === metric.kind && existing.step >= metric.step)), metric];
}

/** The Train page's view of the core: runs, the selected run's metric history (live), presets and defaults. */
export class TrainingState {
  runs = $state<TrainingRun[]>([]);
  presets = $state<EncoderPreset[]>([]);
  defaults = $state<PretrainRequest | null>(null);
  selectedRunId = $state<string | null>(null);
  metrics = $state<TrainingMetric[]>([]);
  comparedRunIds = $state<string[]>([]);
  comparedMetrics = $state<Record<string, TrainingMetric[]>>({});
  loadError = $state<string | null>(null);
  selectedRun = $derived(this.runs.find((run) => run.id === this.selectedRunId) ?? null);
  private unsubscribe: (() => void) | null = null;

  async open(): Promise<void> {
    this.unsubscribe ??= appState.api.subscribe((event) => this.apply(event));
    try {
      const [presets, runs] = await Promise.all([
        appState.api.call('training.presets', {}),
        appState.api.call('training.runs', { limit: 200 }),
      ]);
      this.presets = presets.presets;
      this.defaults = presets.defaults;
      this.runs = runs;
      this.loadError = null;
      if (!this.selectedRunId && runs[0]) await this.select(runs[0].id);
    } catch (error) {
      this.loadError = (error as Error).message;
    }
  }

  async select(runId: string): Promise<void> {
    this.selectedRunId = runId;
    const detail = await appState.api.call('training.run', { runId });
    if (this.selectedRunId !== runId) return;
    this.metrics = detail.metrics;
    this.upsertRun(detail.run);
  }

  async toggleCompared(runId: string): Promise<void> {
    if (this.comparedRunIds.includes(runId)) {
      this.comparedRunIds = this.comparedRunIds.filter((id) => id !== runId);
      return;
    }
    this.comparedRunIds = [...this.comparedRunIds, runId];
    const detail = await appState.api.call('training.run', { runId });
    this.comparedMetrics = { ...this.comparedMetrics, [runId]: detail.metrics };
  }

  private apply(event: ApiEvent): void {
    if (event.name === 'training.run') {
      this.upsertRun(event.payload);
      if (!this.selectedRunId) this.selectedRunId = event.payload.id;
    } else if (event.name === 'training.metric') {
      const metric = event.payload;
      if (metric.runId === this.selectedRunId) this.metrics = withMetric(this.metrics, metric);
      if (this.comparedRunIds.includes(metric.runId)) {
        this.comparedMetrics = {
          ...this.comparedMetrics,
          [metric.runId]: withMetric(this.comparedMetrics[metric.runId] ?? [], metric),
        };
      }
    }
  }

  private upsertRun(run: TrainingRun): void {
    const index = this.runs.findIndex((existing) => existing.id === run.id);
    if (index >= 0) this.runs[index] = run;
    else this.runs = [run, ...this.runs];
  }
}

export const trainingState = new TrainingState();
