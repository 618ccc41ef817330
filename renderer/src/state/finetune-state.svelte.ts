import type { ApiEvent, ModelRecord } from '../../../common/contract/index.js';
import type { ClassifierMetric, ClassifierRun, LabelTask } from '../../../common/contract/finetune.js';
import { appState } from './app-state.svelte.js';

/** The Fine-tune page's view of the core: labelled tasks, encoders, runs, and the selected run's live curves. */
export class FinetuneState {
  tasks = $state<LabelTask[]>([]);
  models = $state<ModelRecord[]>([]);
  runs = $state<ClassifierRun[]>([]);
  selectedRunId = $state<string | null>(null);
  metrics = $state<ClassifierMetric[]>([]);
  loadError = $state<string | null>(null);
  loaded = $state(false);
  selectedRun = $derived(this.runs.find((run) => run.id === this.selectedRunId) ?? null);
  private unsubscribe: (() => void) | null = null;

  async open(): Promise<void> {
    this.unsubscribe ??= appState.api.subscribe((event) => this.apply(event));
    try {
      const [tasks, models, runs] = await Promise.all([
        appState.api.call('finetune.tasks', {}),
        appState.api.call('models.list', {}),
        appState.api.call('finetune.runs', { limit: 200 }),
      ]);
      this.tasks = tasks;
      this.models = models;
      this.runs = runs;
      this.loadError = null;
    } catch (error) {
      this.loadError = (error as Error).message;
    } finally {
      this.loaded = true;
    }
  }

  async select(runId: string): Promise<void> {
    this.selectedRunId = runId;
    const detail = await appState.api.call('finetune.run', { runId });
    if (this.selectedRunId !== runId) return;
    this.metrics = detail.metrics;
    this.upsertRun(detail.run);
  }

  private apply(event: ApiEvent): void {
    if (event.name === 'finetune.run') this.upsertRun(event.payload);
    else if (event.name === 'finetune.metric' && event.payload.runId === this.selectedRunId)
      this.metrics = [...this.metrics, event.payload];
  }

  private upsertRun(run: ClassifierRun): void {
    const index = this.runs.findIndex((existing) => existing.id === run.id);
    if (index >= 0) this.runs[index] = run;
    else this.runs = [run, ...this.runs];
  }
}

export const finetuneState = new FinetuneState();
