import type { ApiEvent } from '../../common/contract/index.js';

export type ApiEventListener = (event: ApiEvent) => void;

/** Fan-out of core events to every transport; a throwing listener never stops the others. */
export class EventBus {
  private readonly listeners = new Set<ApiEventListener>();

  publish(event: ApiEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('unisight: event listener failed:', error);
      }
    }
  }

  subscribe(listener: ApiEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
