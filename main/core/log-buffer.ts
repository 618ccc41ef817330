import type { LogEntry } from '../../common/contract/index.js';
import type { EventBus } from './event-bus.js';

/** Keeps the latest log lines for late subscribers and publishes each as it comes. */
export class LogBuffer {
  private readonly entries: LogEntry[] = [];

  constructor(
    private readonly events: EventBus,
    private readonly capacity = 1000,
  ) {}

  write(level: LogEntry['level'], source: string, message: string): void {
    const entry: LogEntry = { time: new Date().toISOString(), level, source, message };
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    this.events.publish({ name: 'log', payload: entry });
  }

  recent(limit: number): LogEntry[] {
    return this.entries.slice(-limit);
  }
}
