// `npm run bench:search`: the vector index as the app uses it (sqlite-vec tables in a real catalog, built by
// VectorIndex from an embeddings file) at 100,000 and 1,000,000 vectors of the model's embedding size; 1,000 k=10
// queries each, with latency percentiles, build time, memory, and the memory-bandwidth bound of a brute-force scan.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openCatalogDatabase } from '../main/core/library/catalog-database.js';
import { VectorIndex } from '../main/core/search/vector-index.js';
import type { ModelRecord } from '../common/contract/index.js';
import { SeededRandom } from '../common/seeded-random.js';
import { encoderPresets } from '../common/encoder-config.js';
import { writeTensorBundle } from '../ml/model/tensor-bundle.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    queries: { type: 'string', default: '1000' },
    dimension: { type: 'string', default: String(encoderPresets['cpu-fast'].embeddingSize) },
  },
});
const sizes = values.sizes.split(',').map(Number);
const queryCount = Number(values.queries);
const dimension = Number(values.dimension);
const targets: Record<number, number> = { 100_000: 50, 1_000_000: 300 };

function unitVectors(count: number, random: SeededRandom): Float32Array {
  const vectors = new Float32Array(count * dimension);
  for (let row = 0; row < count; row++) {
    let norm = 0;
    for (let column = 0; column < dimension; column++) {
      const value = random.next() * 2 - 1;
      vectors[row * dimension + column] = value;
      norm += value * value;
    }
    const scale = 1 / Math.sqrt(norm);
    for (let column = 0; column < dimension; column++) vectors[row * dimension + column]! *= scale;
  }
  return vectors;
}

/** Sequential read bandwidth, from copying a buffer larger than the caches (a copy reads and writes each byte once). */
function readBandwidthBytesPerSecond(): number {
  const size = 256 * 1024 * 1024;
  const source = Buffer.alloc(size, 1);
  const target = Buffer.alloc(size);
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = performance.now();
    source.copy(target);
    best = Math.min(best, performance.now() - started);
  }
  return (2 * size) / (best / 1000);
}

const percentile = (sorted: number[], fraction: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const bandwidth = readBandwidthBytesPerSecond();
console.log(
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${megabytes(os.totalmem())}; read bandwidth ≈ ${(bandwidth / 1e9).toFixed(1)} GB/s (buffer copy)`,
);
console.log(`embedding size ${dimension} (the cpu-fast model's), cosine, k = 10, ${queryCount} queries per size\n`);
for (const size of sizes) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'unisight-search-bench-'));
  try {
    const catalog = openCatalogDatabase(root);
    const random = new SeededRandom(`search-bench-${size}`);
    const embeddingsFile = path.join(root, 'embeddings.bin');
    writeTensorBundle(embeddingsFile, {
      metadata: { imageIds: Array.from({ length: size }, (_, index) => index + 1), reportIds: [1] },
      tensors: new Map([
        ['image', { shape: [size, dimension], values: unitVectors(size, random) }],
        ['report', { shape: [1, dimension], values: unitVectors(1, random) }],
      ]),
    });
    catalog.database
      .prepare(
        "INSERT INTO models (id, name, origin, architecture, config_json, tokenizer_fingerprint, split_json, metrics_json, weights_file, weights_bytes, embeddings_file, created_at) VALUES ('bench', 'bench', 'trained', 'shared', '{}', '', '{}', '{}', 'none', 0, ?, ?)",
      )
      .run(embeddingsFile, new Date().toISOString());
    const index = new VectorIndex(catalog.database, catalog.vectorExtensionError);
    const rssBefore = process.memoryUsage().rss;
    const info = index.ensure({ id: 'bench', name: 'bench', embeddingsFile } as ModelRecord);
    const rssAfterBuild = process.memoryUsage().rss;
    const queries = unitVectors(queryCount, random);
    const loadStarted = performance.now();
    index.nearest('bench', 'image', unitVectors(1, random), 10);
    const firstQuery = performance.now() - loadStarted;
    const times: number[] = [];
    let peakRss = rssAfterBuild;
    for (let query = 0; query < queryCount; query++) {
      const started = performance.now();
      const hits = index.nearest('bench', 'image', queries.subarray(query * dimension, (query + 1) * dimension), 10);
      times.push(performance.now() - started);
      if (hits.length !== 10) throw new Error(`query ${query} returned ${hits.length} results`);
      if (query % 100 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    times.sort((left, right) => left - right);
    const bound = ((size * dimension * 4) / bandwidth) * 1000;
    const databaseBytes =
      fs.statSync(catalog.databaseFile).size +
      (fs.existsSync(`${catalog.databaseFile}-wal`) ? fs.statSync(`${catalog.databaseFile}-wal`).size : 0);
    const target = targets[size];
    console.log(
      `${size.toLocaleString('en')} vectors: build ${(info.buildMilliseconds / 1000).toFixed(1)} s; query p50 ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms, p99 ${percentile(times, 0.99).toFixed(1)} ms`,
    );
    console.log(
      `  first query after a (re)build or start ${(firstQuery / 1000).toFixed(1)} s (reads the vectors into memory; not in the percentiles)`,
    );
    console.log(
      `  brute-force bandwidth bound ${bound.toFixed(1)} ms per query (${megabytes(size * dimension * 4)} of vectors); p50 / bound = ${(percentile(times, 0.5) / bound).toFixed(1)}×`,
    );
    console.log(
      `  memory: catalog on disk ${megabytes(databaseBytes)}; process RSS +${megabytes(rssAfterBuild - rssBefore)} after build, peak ${megabytes(peakRss)} while querying`,
    );
    if (target) console.log(`  target p95 < ${target} ms: ${percentile(times, 0.95) < target ? 'met' : 'NOT met'}`);
    catalog.database.close();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
