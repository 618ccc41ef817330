import type { ApiClient, ApiEvent, AppInfo, EngineStatus, Job } from '../../../common/contract/index.js';
import { sectionFromHash, type SectionId } from './sections.js';

const jobHistoryLimit = 200;
const sidebarKey = 'unisight.sidebar';

/** Everything the shell shows, kept current from the core's events; pages read it and call `api`. */
export class AppState {
  info = $state<AppInfo | null>(null);
  engine = $state<EngineStatus | null>(null);
  jobs = $state<Job[]>([]);
  connected = $state(false);
  loadError = $state<string | null>(null);
  section = $state<SectionId>(sectionFromHash(location.hash));
  /** The sidebar narrowed to its section initials, for small windows; remembered on this machine. */
  sidebarCollapsed = $state(localStorage.getItem(sidebarKey) === 'collapsed');
  activeJobs = $derived(this.jobs.filter((job) => job.state === 'queued' || job.state === 'running'));

  api!: ApiClient;
  /** Engine status events applied so far: a refresh answered before the latest one must not undo it. */
  private engineUpdates = 0;

  attach(api: ApiClient): void {
    this.api = api;
    api.subscribe((event) => this.apply(event));
    window.addEventListener('hashchange', () => {
      this.section = sectionFromHash(location.hash);
    });
  }

  setConnected(connected: boolean): void {
    const reconnected = connected && !this.connected;
    this.connected = connected;
    if (reconnected && this.api) void this.refresh();
  }

  async refresh(): Promise<void> {
    const engineUpdatesBefore = this.engineUpdates;
    try {
      const [info, jobs] = await Promise.all([
        this.api.call('app.info', {}),
        this.api.call('jobs.list', { limit: jobHistoryLimit }),
      ]);
      this.info = info;
      // The engine may have reported (say, ready) while app.info was on its way with the older state.
      if (this.engineUpdates === engineUpdatesBefore) this.engine = info.engine;
      this.jobs = jobs;
      this.loadError = null;
    } catch (error) {
      this.loadError = (error as Error).message;
    }
  }

  toggleSidebar(): void {
    this.sidebarCollapsed = !this.sidebarCollapsed;
    localStorage.setItem(sidebarKey, this.sidebarCollapsed ? 'collapsed' : 'open');
  }

  navigate(section: SectionId): void {
    location.hash = `#/${section}`;
  }

  private apply(event: ApiEvent): void {
    if (event.name === 'job.updated') this.upsertJob(event.payload);
    else if (event.name === 'engine.status') {
      this.engineUpdates += 1;
      this.engine = event.payload;
    }
  }

  private upsertJob(job: Job): void {
    const index = this.jobs.findIndex((existing) => existing.id === job.id);
    if (index >= 0) this.jobs[index] = job;
    else this.jobs = [job, ...this.jobs].slice(0, jobHistoryLimit);
  }
}

export const appState = new AppState();
