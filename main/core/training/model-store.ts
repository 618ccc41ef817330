import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import {
  DatasetSplitSummary,
  ImageProbeResult,
  ModelRecord,
  RetrievalMetrics,
} from '../../../common/contract/index.js';
import { EncoderConfig } from '../../../common/encoder-config.js';
import { ModelFileMetadata } from '../../../ml/model/model-file.js';
import { readTensorBundleHeader } from '../../../ml/model/tensor-bundle.js';
import { moveIntoPlace } from '../files/move-into-place.js';
import { copyRegularFile, isInsideFolder, OutsideFileError } from '../files/outside-files.js';

/** Largest model file imported: the largest preset's weights take a few hundred megabytes. */
const maximumModelBytes = 8 * 1024 * 1024 * 1024;

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
function inspectModelFile(file: string, shownAs = file): ModelFileMetadata {
  let header: ReturnType<typeof readTensorBundleHeader>;
  try {
    header = readTensorBundleHeader(file);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `${shownAs} does not exist.`
        : (error as Error).message.replaceAll(path.basename(file), path.basename(shownAs));
    throw new ApiError('invalid-input', `Cannot use this model file: ${reason}`);
  }
  const parsed = ModelFileMetadata.safeParse(header.metadata);
  if (!parsed.success)
    throw new ApiError(
      'invalid-input',
      `${path.basename(shownAs)} is not a Unisight model export (its header does not describe a model).`,
    );
  const stored = header.tensors
    .filter((tensor) => tensor.name.startsWith('model/'))
    .reduce((total, tensor) => total + tensor.shape.reduce((product, side) => product * side, 1), 0);
  if (stored !== parsed.data.parameterCount)
    throw new ApiError(
      'invalid-input',
      `${path.basename(shownAs)} holds ${stored} weights but describes a model of ${parsed.data.parameterCount}.`,
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

  /** Metrics a model gets after it came (imported models are judged on this library once embedded). */
  setMetrics(modelId: string, metrics: ModelRecord['metrics']): ModelRecord {
    this.get(modelId);
    this.database.prepare('UPDATE models SET metrics_json = ? WHERE id = ?').run(JSON.stringify(metrics), modelId);
    return this.get(modelId);
  }

  /**
   * Copies an exported model into the library and checks the copy; the original file is left untouched. Only a
   * regular file is read (a FIFO or device named here must not block the server).
   */
  importFile(file: string, name: string | undefined): ModelRecord {
    const id = randomUUID();
    const target = path.join(this.libraryPath, 'models', `${id}.unisight`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    let metadata: ModelFileMetadata;
    try {
      try {
        copyRegularFile(file, 'The model file', maximumModelBytes, `${target}.partial`);
      } catch (error) {
        if (error instanceof OutsideFileError) throw new ApiError('invalid-input', error.message);
        throw error;
      }
      metadata = inspectModelFile(`${target}.partial`, file);
      fs.renameSync(`${target}.partial`, target);
    } catch (error) {
      fs.rmSync(`${target}.partial`, { force: true });
      throw error;
    }
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

  /**
   * Writes the model as one file: config, tokenizer, data split, metrics and weights. Never into the library (its
   * catalog and caches are not to be overwritten), never over an existing file unless asked; written beside the
   * target and renamed, so a failed export leaves nothing behind and the file is whole or absent.
   */
  exportFile(modelId: string, file: string, overwrite: boolean): { file: string; bytes: number } {
    const model = this.get(modelId);
    const target = path.resolve(file);
    const folder = path.dirname(target);
    if (!fs.existsSync(folder)) throw new ApiError('invalid-input', `The folder ${folder} does not exist.`);
    const library = fs.realpathSync(this.libraryPath);
    const realTarget = path.join(fs.realpathSync(folder), path.basename(target));
    if (realTarget === library || isInsideFolder(realTarget, library))
      throw new ApiError('invalid-input', `${target} is inside the library folder; export to a file outside it.`);
    const existing = fs.statSync(target, { throwIfNoEntry: false });
    if (existing?.isDirectory())
      throw new ApiError(
        'invalid-input',
        `${target} is a folder; name the file to write, e.g. ${target}/model.unisight.`,
      );
    if (existing && !existing.isFile())
      throw new ApiError('invalid-input', `${target} exists and is not a regular file; choose another name.`);
    if (existing && !overwrite)
      throw new ApiError('invalid-input', `${target} already exists; choose another name, or overwrite it on purpose.`);
    const temporary = path.join(folder, `.${path.basename(target)}.${randomUUID()}.partial`);
    try {
      fs.copyFileSync(model.weightsFile, temporary, fs.constants.COPYFILE_EXCL);
      moveIntoPlace(temporary, target, overwrite);
    } catch (error) {
      fs.rmSync(temporary, { force: true });
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new ApiError(
          'invalid-input',
          `${target} already exists; choose another name, or overwrite it on purpose.`,
        );
      throw error;
    }
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
    const metrics = JSON.parse(row.metrics_json) as { validation?: unknown; test?: unknown; imageProbe?: unknown };
    return {
      id: row.id,
      name: row.name,
      origin: row.origin,
      runId: row.run_id,
      architecture: row.architecture,
      config: EncoderConfig.parse(JSON.parse(row.config_json)),
      tokenizerFingerprint: row.tokenizer_fingerprint,
      split: DatasetSplitSummary.parse(JSON.parse(row.split_json)),
      metrics: {
        validation: optionalMetrics(metrics.validation),
        test: optionalMetrics(metrics.test),
        // Models trained before the probe, and imported ones whose file lacks it, have none.
        imageProbe: ImageProbeResult.array()
          .nullable()
          .catch(null)
          .parse(metrics.imageProbe ?? null),
      },
      weightsFile: path.join(this.libraryPath, row.weights_file),
      weightsBytes: row.weights_bytes,
      embeddingsFile: row.embeddings_file === null ? null : path.join(this.libraryPath, row.embeddings_file),
      embeddedImages: row.embedded_images,
      embeddedReports: row.embedded_reports,
      createdAt: row.created_at,
    };
  }
}
