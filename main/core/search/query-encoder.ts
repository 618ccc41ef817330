import type { EngineSupervisor } from '../engine/engine-supervisor.js';

const encodeTimeoutMilliseconds = 60_000;

/**
 * Encodes search queries in an engine process of its own, so a search answers while the training engine is busy;
 * requests queue one at a time (the engine runs one task at once) and the loaded model stays in that process.
 */
export class QueryEncoder {
  private queue: Promise<unknown> = Promise.resolve();
  private requests = 0;

  constructor(private readonly engine: EngineSupervisor) {}

  encode(modelFile: string, texts: string[]): Promise<Float32Array[]> {
    const run = async (): Promise<Float32Array[]> => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), encodeTimeoutMilliseconds);
      try {
        const outcome = await this.engine.runTask(`query-${(this.requests += 1)}`, 'encode-texts', { modelFile, texts }, { signal: controller.signal, reportProgress: () => undefined });
        const vectors = (outcome.result as { vectors?: number[][] } | null)?.vectors;
        if (outcome.outcome !== 'succeeded' || !vectors) throw new Error('The query engine did not encode the query in time.');
        return vectors.map((vector) => Float32Array.from(vector));
      } finally {
        clearTimeout(timer);
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  stop(): void {
    this.engine.stop();
  }
}
