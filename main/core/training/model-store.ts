import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import { DatasetSplitSummary, ModelRecord, RetrievalMetrics } from '../../api/contract.js';
import { EncoderConfig } from '../../../ml/model/model-config.js';
import { ModelFileMetadata } from '../../../ml/model/model-file.js';
import { readTensorBundleHeader } from '../../../ml/model/tensor-bundle.js';

interface ModelRow {
  id: string;
  name: string;
  origin: 'trained' | 'imported';
  run_id: string | null;
  architecture: 'shared' | 'separate';
  config_json: string;
  tokenizer_fingerprint: string;
  split_json: string;
  metrics_json: string;
  weights_file: string;
  weights_bytes: number;
  embeddings_file: string | null;
  embedded_images: number;
  embedded_reports: number;
  created_at: string;
}

export interface TrainedModel {
  runId: string;
  name: string;
  modelFile: string;
  embeddingsFile: string;
  embeddedImages: number;
  embeddedReports: number;
}

/** Reads and checks a model file's header: a damaged, truncated or foreign file is refused with the reason. */
function inspectModelFile(file: string): ModelFileMetadata {
  let header: ReturnType<typeof readTensorBundleHeader>;
  try {
    header = readTensorBundleHeader(file);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${file} does not exist.` : (error as Error).message;
    throw new ApiError('invalid-input', `Cannot use this model file: ${reason}`);
  }
  const parsed = ModelFileMetadata.safeParse(header.metadata);
  if (!parsed.success)
    throw new ApiError(
      'invalid-input',
      `${path.basename(file)} is not a Unisight model export (its header does not describe a model).`,
    );
  const stored = header.tensors
    .filter((tensor) => tensor.name.startsWith('model/'))
    .reduce((total, tensor) => total + tensor.shape.reduce((product, side) => product * side, 1), 0);
  if (stored !== parsed.data.parameterCount)
    throw new ApiError(
      'invalid-input',
      `${path.basename(file)} holds ${stored} weights but describes a model of ${parsed.data.parameterCount}.`,
    );
  return parsed.data;
}

const optionalMetrics = (value: unknown) =>
  RetrievalMetrics.nullable()
    .catch(null)
    .parse(value ?? null);

/** The library's models: weights on disk (inside the library folder), their description in the catalog. */
export class ModelStore {
  constructor(
    private readonly database: Database.Database,
    private readonly libraryPath: string,
  ) {}

  list(): ModelRecord[] {
    return (this.database.prepare('SELECT * FROM models ORDER BY created_at DESC, rowid DESC').all() as ModelRow[]).map(
      (row) => this.record(row),
    );
  }

  get(modelId: string): ModelRecord {
    const row = this.database.prepare('SELECT * FROM models WHERE id = ?').get(modelId) as ModelRow | undefined;
    if (!row) throw new ApiError('not-found', `No model with id ${modelId}.`);
    return this.record(row);
  }

  registerTrained(model: TrainedModel): ModelRecord {
    const metadata = inspectModelFile(model.modelFile);
    return this.insert({ ...model, origin: 'trained', metadata });
  }

  /**
   * The model that answers searches and embeds new imports: the one the researcher chose last, else the newest with
   * embeddings. Null until some model has embedded the library.
   */
  searchModel(): { model: ModelRecord; chosen: boolean } | null {
    const chosen = this.database
      .prepare(
        'SELECT id FROM models WHERE chosen_for_search_at IS NOT NULL AND embeddings_file IS NOT NULL ORDER BY chosen_for_search_at DESC, rowid DESC LIMIT 1',
      )
      .get() as { id: string } | undefined;
    if (chosen) return { model: this.get(chosen.id), chosen: true };
    const newest = this.list().find((model) => model.embeddingsFile !== null);
    return newest ? { model: newest, chosen: false } : null;
  }

  chooseForSearch(modelId: string): ModelRecord {
    const model = this.get(modelId);
    if (model.embeddingsFile === null)
      throw new ApiError(
        'invalid-input',
        `Model ${model.name} has not embedded this library yet; embed it first (search.embedLibrary), then choose it.`,
      );
    this.database
      .prepare('UPDATE models SET chosen_for_search_at = ? WHERE id = ?')
      .run(new Date().toISOString(), modelId);
    return model;
  }

  /** Records a model's (re)written embeddings file and how many images and reports it holds. */
  setEmbeddings(modelId: string, file: string, images: number, reports: number): ModelRecord {
    this.get(modelId);
    this.database
      .prepare('UPDATE models SET embeddings_file = ?, embedded_images = ?, embedded_reports = ? WHERE id = ?')
      .run(path.relative(this.libraryPath, file), images, reports, modelId);
    return this.get(modelId);
  }

  /** Copies an exported model into the library; the original file is left untouched. */
  importFile(file: string, name: string | undefined): ModelRecord {
    const metadata = inspectModelFile(file);
    const id = randomUUID();
    const target = path.join(this.libraryPath, 'models', `${id}.unisight`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(file, `${target}.partial`);
    fs.renameSync(`${target}.partial`, target);
    return this.insert({
      id,
      runId: null,
      name: name ?? path.basename(file, path.extname(file)),
      modelFile: target,
      embeddingsFile: null,
      embeddedImages: 0,
      embeddedReports: 0,
      origin: 'imported',
      metadata,
    });
  }

  /** Writes the model as one file: config, tokenizer, data split, metrics and weights. */
  exportFile(modelId: string, file: string): { file: string; bytes: number } {
    const model = this.get(modelId);
    const target = path.resolve(file);
    if (!fs.existsSync(path.dirname(target)))
      throw new ApiError('invalid-input', `The folder ${path.dirname(target)} does not exist.`);
    fs.copyFileSync(model.weightsFile, `${target}.partial`);
    fs.renameSync(`${target}.partial`, target);
    return { file: target, bytes: fs.statSync(target).size };
  }

  private insert(model: {
    id?: string;
    runId: string | null;
    name: string;
    modelFile: string;
    embeddingsFile: string | null;
    embeddedImages: number;
    embeddedReports: number;
    origin: 'trained' | 'imported';
    metadata: ModelFileMetadata;
  }): ModelRecord {
    const id = model.id ?? randomUUID();
    const relative = (file: string | null) => (file === null ? null : path.relative(this.libraryPath, file));
    this.database
      .prepare(
        `INSERT INTO models (id, name, origin, run_id, architecture, config_json, tokenizer_fingerprint, split_json, metrics_json,
           weights_file, weights_bytes, embeddings_file, embedded_images, embedded_reports, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        model.name,
        model.origin,
        model.runId,
        model.metadata.config.architecture,
        JSON.stringify(model.metadata.config),
        model.metadata.tokenizer.fingerprint,
        JSON.stringify(model.metadata.split),
        JSON.stringify(model.metadata.metrics),
        relative(model.modelFile),
        fs.statSync(model.modelFile).size,
        relative(model.embeddingsFile),
        model.embeddedImages,
        model.embeddedReports,
        new Date().toISOString(),
      );
    return this.get(id);
  }

  private record(row: ModelRow): ModelRecord {
    const metrics = JSON.parse(row.metrics_json) as { validation?: unknown; test?: unknown };
    return {
      id: row.id,
      name: row.name,
      origin: row.origin,
      runId: row.run_id,
      architecture: row.architecture,
      config: EncoderConfig.parse(JSON.parse(row.config_json)),
      tokenizerFingerprint: row.tokenizer_fingerprint,
      split: DatasetSplitSummary.parse(JSON.parse(row.split_json)),
      metrics: { validation: optionalMetrics(metrics.validation), test: optionalMetrics(metrics.test) },
      weightsFile: path.join(this.libraryPath, row.weights_file),
      weightsBytes: row.weights_bytes,
      embeddingsFile: row.embeddings_file === null ? null : path.join(this.libraryPath, row.embeddings_file),
      embeddedImages: row.embedded_images,
      embeddedReports: row.embedded_reports,
      createdAt: row.created_at,
    };
  }
}
