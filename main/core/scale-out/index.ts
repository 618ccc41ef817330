// Training on a cluster: the bundle the scale-out trainer reads, and its result brought back as a model.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { resolvePretrainOptions } from '../../../common/contract/index.js';
import { ModelFileMetadata } from '../../../ml/model/model-file.js';
import { readTensorBundleHeader } from '../../../ml/model/tensor-bundle.js';
import { BpeTokenizer } from '../../../ml/tokenizer/bpe-tokenizer.js';
import type { CoreContext, CoreFeature } from '../core-feature.js';
import type { ModelStore } from '../training/model-store.js';
import { resolveEncoder } from '../training/pretraining-service.js';
import { convertScaleOutResult } from './scale-out-result.js';
import { planTrainingBundle, writeTrainingBundle, type BundleSource } from './training-bundle.js';

export function scaleOutFeature(
  { catalog, submitJob }: CoreContext,
  models: ModelStore,
): CoreFeature<'training.exportBundle' | 'models.importCheckpoint'> {
  const { database, libraryPath } = catalog;
  return {
    handlers: {
      'training.exportBundle': async ({ folder, options, modelId, dryRun }) => {
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
        const plan = planTrainingBundle(database, libraryPath, source);
        if (dryRun) return { manifest: plan.manifest, folder, files: [], bytes: 0 };
        return { manifest: plan.manifest, folder, ...(await writeTrainingBundle(plan, folder)) };
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
    executors: {},
  };
}
