import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import type { ModelRecord } from '../../../common/contract/index.js';
import { readTensorBundle, readTensorBundleHeader } from '../../../ml/model/tensor-bundle.js';
import { rowDotProduct, topByDotProduct } from './vector-scan.js';

export interface VectorIndexInfo {
  modelId: string;
  dimension: number;
  images: number;
  reports: number;
  /** Milliseconds the last (re)build took; 0 when the index was already current. */
  buildMilliseconds: number;
}

interface LoadedTable {
  builtAt: string;
  ids: Int32Array;
  vectors: Float32Array;
  /** Row of each id, made when first asked for. */
  rowOf?: Map<number, number>;
}

interface IndexRow {
  id: number;
  built_at: string;
  dimension: number;
  image_table: string;
  report_table: string;
  images: number;
  reports: number;
  embeddings_revision: string;
}

/** Most neighbours one query returns (sqlite-vec's own limit, kept so either scan gives the same answers). */
export const maximumNeighbours = 4096;

const asBlob = (vector: Float32Array) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);

/** Which write of an embeddings file this is (files written before revisions: their size and time). */
function embeddingsRevision(file: string): string {
  const revision = readTensorBundleHeader(file).metadata.revision;
  if (typeof revision === 'string') return revision;
  const stats = fs.statSync(file);
  return `${stats.size}@${stats.mtimeMs}`;
}

/**
 * A model's image and report vectors in sqlite-vec tables of the catalog itself (exact search over unit vectors), made
 * from the embeddings its training wrote. Brought up to date whenever the model's embeddings are written again: rows
 * for new images and reports are added, rows whose vector changed (a report whose text changed) replaced, rows for
 * removed ones dropped.
 */
export class VectorIndex {
  private readonly memory = new Map<string, LoadedTable>();

  constructor(
    private readonly database: Database.Database,
    private readonly extensionError: string | null,
  ) {}

  ensure(model: ModelRecord): VectorIndexInfo {
    if (this.extensionError) throw new ApiError('conflict', this.extensionError);
    if (!model.embeddingsFile || !fs.existsSync(model.embeddingsFile))
      throw new ApiError(
        'conflict',
        `Model ${model.name} has no stored embeddings; pretrain a model (it embeds the library when it finishes) to search by meaning.`,
      );
    const revision = embeddingsRevision(model.embeddingsFile);
    const existing = this.row(model.id);
    if (existing && existing.embeddings_revision === revision)
      return {
        modelId: model.id,
        dimension: existing.dimension,
        images: existing.images,
        reports: existing.reports,
        buildMilliseconds: 0,
      };
    const started = performance.now();
    const bundle = readTensorBundle(model.embeddingsFile);
    const imageIds = bundle.metadata.imageIds as number[];
    const reportIds = bundle.metadata.reportIds as number[];
    const imageVectors = bundle.tensors.get('image')!;
    const reportVectors = bundle.tensors.get('report')!;
    const dimension = imageVectors.shape[1]!;
    this.database.transaction(() => {
      let row = existing;
      if (!row || row.dimension !== dimension) {
        if (row) this.drop(row);
        const id = Number(
          this.database
            .prepare(
              "INSERT INTO vector_indexes (model_id, dimension, image_table, report_table, built_at) VALUES (?, ?, '', '', ?)",
            )
            .run(model.id, dimension, new Date().toISOString()).lastInsertRowid,
        );
        row = {
          id,
          dimension,
          built_at: '',
          image_table: `image_vectors_${id}`,
          report_table: `report_vectors_${id}`,
          images: 0,
          reports: 0,
          embeddings_revision: '',
        };
        this.database
          .prepare('UPDATE vector_indexes SET image_table = ?, report_table = ? WHERE id = ?')
          .run(row.image_table, row.report_table, id);
        this.database.exec(
          `CREATE VIRTUAL TABLE ${row.image_table} USING vec0(item_id INTEGER PRIMARY KEY, embedding float[${dimension}])`,
        );
        this.database.exec(
          `CREATE VIRTUAL TABLE ${row.report_table} USING vec0(item_id INTEGER PRIMARY KEY, embedding float[${dimension}])`,
        );
      }
      const images = this.synchronise(row.image_table, imageIds, imageVectors.values, dimension);
      const reports = this.synchronise(row.report_table, reportIds, reportVectors.values, dimension);
      this.database
        .prepare(
          'UPDATE vector_indexes SET images = ?, reports = ?, embeddings_revision = ?, built_at = ? WHERE id = ?',
        )
        .run(images, reports, revision, new Date().toISOString(), row.id);
    })();
    const row = this.row(model.id)!;
    return {
      modelId: model.id,
      dimension,
      images: row.images,
      reports: row.reports,
      buildMilliseconds: performance.now() - started,
    };
  }

  /**
   * The `k` nearest images (or reports) to a unit vector, nearest first, with cosine similarity: an exact scan of the
   * table's vectors, read once into memory and kept until the index changes.
   */
  nearest(
    modelId: string,
    kind: 'image' | 'report',
    vector: Float32Array,
    k: number,
  ): Array<{ id: number; similarity: number }> {
    const row = this.row(modelId);
    if (!row) throw new ApiError('conflict', 'The vector index of this model has not been built.');
    if (vector.length !== row.dimension)
      throw new ApiError(
        'invalid-input',
        `A query vector of ${vector.length} values does not fit an index of ${row.dimension}.`,
      );
    const table = this.loaded(kind === 'image' ? row.image_table : row.report_table, row);
    return topByDotProduct(table.vectors, row.dimension, vector, Math.min(k, maximumNeighbours)).map((hit) => ({
      id: table.ids[hit.row]!,
      similarity: hit.score,
    }));
  }

  /** Each id's cosine similarity to a unit vector (images or reports); ids without a vector are left out. */
  similarities(
    modelId: string,
    kind: 'image' | 'report',
    vector: Float32Array,
    ids: readonly number[],
  ): Array<{ id: number; similarity: number }> {
    const found = this.byId(modelId, kind);
    if (!found) return [];
    const { table, rowOf, dimension } = found;
    return ids.flatMap((id) => {
      const index = rowOf.get(id);
      return index === undefined ? [] : [{ id, similarity: rowDotProduct(table.vectors, index, dimension, vector) }];
    });
  }

  /** The stored vectors of these images (views into the loaded table), by id; ids without one are left out. */
  imageVectorsOf(modelId: string, ids: readonly number[]): Map<number, Float32Array> {
    const found = this.byId(modelId, 'image');
    if (!found) return new Map();
    const { table, rowOf, dimension } = found;
    return new Map(
      ids.flatMap((id) => {
        const index = rowOf.get(id);
        return index === undefined
          ? []
          : [[id, table.vectors.subarray(index * dimension, (index + 1) * dimension)] as const];
      }),
    );
  }

  /** The loaded table of one kind with the row of each id (made once per load), for look-ups by id. */
  private byId(
    modelId: string,
    kind: 'image' | 'report',
  ): { table: LoadedTable; rowOf: Map<number, number>; dimension: number } | null {
    const row = this.row(modelId);
    if (!row) return null;
    const table = this.loaded(kind === 'image' ? row.image_table : row.report_table, row);
    table.rowOf ??= new Map(Array.from(table.ids, (id, index) => [id, index]));
    return { table, rowOf: table.rowOf, dimension: row.dimension };
  }

  /**
   * Every vector of one kind, rows of `dimension` values in `ids` order, and when the index was built (a key for what
   * is computed from them); null before the index is built.
   */
  vectors(
    modelId: string,
    kind: 'image' | 'report',
  ): { builtAt: string; dimension: number; ids: Int32Array; vectors: Float32Array } | null {
    const row = this.row(modelId);
    if (!row) return null;
    const { builtAt, ids, vectors } = this.loaded(kind === 'image' ? row.image_table : row.report_table, row);
    return { builtAt, ids, vectors, dimension: row.dimension };
  }

  private loaded(table: string, row: IndexRow): LoadedTable {
    const cached = this.memory.get(table);
    if (cached && cached.builtAt === row.built_at) return cached;
    const count = (this.database.prepare(`SELECT count(*) AS count FROM ${table}`).get() as { count: number }).count;
    const ids = new Int32Array(count);
    const vectors = new Float32Array(count * row.dimension);
    // Byte copies: a blob's buffer need not be aligned for a Float32Array view.
    const bytes = new Uint8Array(vectors.buffer);
    let index = 0;
    for (const stored of this.database
      .prepare(`SELECT item_id AS id, embedding FROM ${table}`)
      .iterate() as IterableIterator<{ id: number; embedding: Buffer }>) {
      ids[index] = stored.id;
      bytes.set(stored.embedding, index * row.dimension * 4);
      index += 1;
    }
    const loadedTable = { builtAt: row.built_at, ids, vectors };
    this.memory.set(table, loadedTable);
    return loadedTable;
  }

  /** An image's stored vector, for "find similar". */
  imageVector(modelId: string, imageId: number): Float32Array | null {
    const row = this.row(modelId);
    if (!row) return null;
    const found = this.database.prepare(`SELECT embedding FROM ${row.image_table} WHERE item_id = ?`).get(imageId) as
      { embedding: Buffer } | undefined;
    return found
      ? new Float32Array(
          found.embedding.buffer.slice(
            found.embedding.byteOffset,
            found.embedding.byteOffset + found.embedding.byteLength,
          ),
        )
      : null;
  }

  private synchronise(table: string, ids: readonly (number | null)[], values: Float32Array, dimension: number): number {
    const wanted = new Map<number, number>();
    ids.forEach((id, row) => {
      if (id !== null) wanted.set(id, row);
    });
    const vector = (row: number) => asBlob(values.subarray(row * dimension, (row + 1) * dimension));
    const present = new Set<number>();
    const outdated: number[] = [];
    for (const stored of this.database
      .prepare(`SELECT item_id AS id, embedding FROM ${table}`)
      .iterate() as IterableIterator<{ id: number; embedding: Buffer }>) {
      present.add(stored.id);
      const row = wanted.get(stored.id);
      if (row === undefined || !stored.embedding.equals(vector(row))) outdated.push(stored.id);
    }
    const remove = this.database.prepare(`DELETE FROM ${table} WHERE item_id = ?`);
    for (const id of outdated) {
      remove.run(BigInt(id));
      present.delete(id);
    }
    const insert = this.database.prepare(`INSERT INTO ${table} (item_id, embedding) VALUES (?, ?)`);
    for (const [id, row] of wanted) if (!present.has(id)) insert.run(BigInt(id), vector(row));
    return wanted.size;
  }

  private drop(row: IndexRow): void {
    this.database.exec(`DROP TABLE IF EXISTS ${row.image_table}; DROP TABLE IF EXISTS ${row.report_table};`);
    this.database.prepare('DELETE FROM vector_indexes WHERE id = ?').run(row.id);
  }

  private row(modelId: string): IndexRow | undefined {
    return this.database
      .prepare(
        'SELECT id, dimension, image_table, report_table, images, reports, embeddings_revision, built_at FROM vector_indexes WHERE model_id = ?',
      )
      .get(modelId) as IndexRow | undefined;
  }
}
