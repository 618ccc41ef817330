import type { EngineSupervisor } from '../engine/engine-supervisor.js';

const encodeTimeoutMilliseconds = 60_000;

/** Texts encoded in one engine task at most: a batch this size still answers in well under a second. */
const largestBatch = 64;

interface PendingQuery {
  modelFile: string;
  texts: string[];
  resolve(vectors: Float32Array[]): void;
  reject(error: unknown): void;
}

/**
 * Encodes search queries in an engine process of its own, so a search answers while the training engine is busy;
 * the loaded model stays in that process. The engine runs one task at once, so queries that arrive while one is being
 * encoded wait together and go as one batch: eight concurrent searches cost about one encoding, not eight in a row.
 */
export class QueryEncoder {
  private pending: PendingQuery[] = [];
  private draining = false;
  private requests = 0;

  constructor(private readonly engine: EngineSupervisor) {}

  encode(modelFile: string, texts: string[]): Promise<Float32Array[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ modelFile, texts, resolve, reject });
      void this.drain();
    });
  }

  stop(): void {
    this.engine.stop();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        const { modelFile } = this.pending[0]!;
        const batch: PendingQuery[] = [];
        let texts = 0;
        for (const query of this.pending) {
          if (query.modelFile !== modelFile || (batch.length > 0 && texts + query.texts.length > largestBatch))
            continue;
          batch.push(query);
          texts += query.texts.length;
        }
        this.pending = this.pending.filter((query) => !batch.includes(query));
        try {
          const vectors = await this.encodeNow(
            modelFile,
            batch.flatMap((query) => query.texts),
          );
          let offset = 0;
          for (const query of batch) {
            query.resolve(vectors.slice(offset, offset + query.texts.length));
            offset += query.texts.length;
          }
        } catch (error) {
          for (const query of batch) query.reject(error);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async encodeNow(modelFile: string, texts: string[]): Promise<Float32Array[]> {
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
      if (outcome.outcome !== 'succeeded' || outcome.result.vectors.length !== texts.length)
        throw new Error('The query engine did not encode the query.');
      return outcome.result.vectors.map((vector) => Float32Array.from(vector));
    } finally {
      clearTimeout(timer);
    }
  }
}
