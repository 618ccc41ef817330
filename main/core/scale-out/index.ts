// Training on a cluster: the bundle the scale-out trainer reads, and its result brought back as a model.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AbsolutePath, PretrainRequest, resolvePretrainOptions } from '../../../common/contract/index.js';
import { ModelFileMetadata } from '../../../ml/model/model-file.js';
import { readTensorBundleHeader } from '../../../ml/model/tensor-bundle.js';
import { BpeTokenizer } from '../../../ml/tokenizer/bpe-tokenizer.js';
import type { CoreContext, CoreFeature } from '../core-feature.js';
import type { ModelStore } from '../training/model-store.js';
import { resolveEncoder } from '../training/pretraining-service.js';
import { convertScaleOutResult } from './scale-out-result.js';
import { BundleCancelled, planTrainingBundle, writeTrainingBundle, type BundleSource } from './training-bundle.js';

const ExportJobParameters = z.strictObject({
  folder: AbsolutePath,
  options: PretrainRequest,
  modelId: z.string().optional(),
});
type ExportJobParameters = z.infer<typeof ExportJobParameters>;

export function scaleOutFeature(
  { catalog, submitJob }: CoreContext,
  models: ModelStore,
): CoreFeature<'training.exportBundle' | 'models.importCheckpoint', 'bundle.export'> {
  const { database, libraryPath } = catalog;

  const plan = ({ options, modelId }: Omit<ExportJobParameters, 'folder'>) => {
    const resolved = resolvePretrainOptions(options);
    let source: BundleSource = { encoder: resolveEncoder(resolved), options: resolved };
    if (modelId) {
      const model = models.get(modelId);
      const metadata = ModelFileMetadata.parse(readTensorBundleHeader(model.weightsFile).metadata);
      source = {
        encoder: model.config,
        options: resolved,
        model: { id: model.id, weightsFile: model.weightsFile, tokenizer: new BpeTokenizer(metadata.tokenizer) },
      };
    }
    return planTrainingBundle(database, libraryPath, source);
  };

  return {
    handlers: {
      'training.exportBundle': async ({ folder, options, modelId, dryRun }) => {
        // Planned here too, so that a bundle that cannot be made is refused at once, with the reason.
        const { manifest } = plan({ options, modelId });
        const parameters: ExportJobParameters = { folder, options, ...(modelId ? { modelId } : {}) };
        return { manifest, job: dryRun ? null : submitJob('bundle.export', parameters) };
      },
      'models.importCheckpoint': async ({ file, name }) => {
        const converted = path.join(libraryPath, 'models', `scale-out-${randomUUID()}.unisight`);
        fs.mkdirSync(path.dirname(converted), { recursive: true });
        try {
          convertScaleOutResult(database, libraryPath, file, converted);
          const model = models.importFile(converted, name ?? `scale-out ${path.basename(path.dirname(file))}`);
          // Embedding the library judges it too: an imported model without metrics is evaluated on this test split.
          return { model, job: submitJob('model.embed', { modelId: model.id }) };
        } finally {
          fs.rmSync(converted, { force: true });
        }
      },
    },
    executors: {
      'bundle.export': {
        lane: 'export',
        unit: 'pairs',
        run: async (job, context) => {
          const parameters = ExportJobParameters.parse(job.parameters);
          const planned = plan(parameters);
          try {
            const written = await writeTrainingBundle(planned, parameters.folder, {
              signal: context.signal,
              report: (done, total) => context.reportProgress({ done, total }),
            });
            return {
              outcome: 'succeeded',
              result: { folder: parameters.folder, manifest: planned.manifest, ...written },
            };
          } catch (error) {
            if (error instanceof BundleCancelled)
              return { outcome: 'cancelled', result: { folder: parameters.folder } };
            throw error;
          }
        },
      },
    },
  };
}
