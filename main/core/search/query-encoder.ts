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
      let timer: NodeJS.Timeout | undefined;
      // An engine that does not answer is stopped, so the queries behind this one get a fresh one.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          this.engine.stop();
          reject(
            new Error(
              `The query engine did not answer within ${encodeTimeoutMilliseconds / 1000} s; it is restarted for the next query.`,
            ),
          );
        }, encodeTimeoutMilliseconds);
      });
      try {
        const outcome = await Promise.race([
          this.engine.runTask(
            `query-${(this.requests += 1)}`,
            'encode-texts',
            { modelFile, texts },
            { signal: controller.signal, reportProgress: () => undefined },
          ),
          timeout,
        ]);
        const vectors = (outcome.result as { vectors?: number[][] } | null)?.vectors;
        if (outcome.outcome !== 'succeeded' || !vectors) throw new Error('The query engine did not encode the query.');
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
