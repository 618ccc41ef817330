// Search by free text and by example, the vector index behind it, the model it uses, and saved cohorts.
import { ApiError } from '../../api/api-error.js';
import type { ChildProcessLauncher } from '../child-process/child-process-channel.js';
import type { CoreContext, CoreFeature } from '../core-feature.js';
import { EngineSupervisor } from '../engine/engine-supervisor.js';
import type { ModelStore } from '../training/model-store.js';
import { CohortStore } from './cohorts.js';
import { libraryEmbeddingExecutor } from './library-embedding-job.js';
import { QueryEncoder } from './query-encoder.js';
import { SearchService } from './search-service.js';
import { VectorIndex } from './vector-index.js';

type SearchMethods =
  | 'search.query'
  | 'search.similar'
  | 'search.reportsForImage'
  | 'search.index'
  | 'search.embedLibrary'
  | 'search.model'
  | 'search.chooseModel'
  | 'cohorts.save'
  | 'cohorts.list'
  | 'cohorts.members';

/** The feature, and `embedNewImages`, which an import calls so that what it added becomes searchable by meaning. */
export function searchFeature(
  context: CoreContext,
  models: ModelStore,
  launchEngine: ChildProcessLauncher,
): CoreFeature<SearchMethods, 'model.embed'> & { embedNewImages(): void } {
  const { catalog, events, logs, submitJob } = context;
  // Queries get an engine of their own, so that a search is never queued behind hours of training.
  const queryEngine = new EngineSupervisor(launchEngine, events, logs, { publishStatus: false });
  const vectorIndex = new VectorIndex(catalog.database, catalog.vectorExtensionError);
  const search = new SearchService(
    catalog.database,
    models,
    vectorIndex,
    new QueryEncoder(queryEngine),
    catalog.libraryPath,
  );
  const cohorts = new CohortStore(catalog.database);
  return {
    handlers: {
      'search.query': (request) => search.search(request),
      'search.similar': async ({ imageId, k, filter, modelId }) => search.similar(imageId, k, filter, modelId),
      'search.reportsForImage': async ({ imageId, k, modelId }) => search.reportsForImage(imageId, k, modelId),
      'search.index': async ({ modelId }) => {
        const model = search.activeModel(modelId);
        if (!model) throw new ApiError('conflict', 'No trained model with embeddings yet (Train).');
        return vectorIndex.ensure(model);
      },
      'search.embedLibrary': async ({ modelId }) => {
        const model = search.activeModel(modelId) ?? models.list()[0];
        if (!model) throw new ApiError('conflict', 'No model to embed the library with yet (Train).');
        return submitJob('model.embed', { modelId: model.id });
      },
      'search.model': async () => {
        const current = models.searchModel();
        return { modelId: current?.model.id ?? null, chosen: current?.chosen ?? false };
      },
      'search.chooseModel': async ({ modelId }) => models.chooseForSearch(modelId),
      'cohorts.save': async ({ name, query, members }) => cohorts.save(name, query, members),
      'cohorts.list': async () => cohorts.list(),
      'cohorts.members': async ({ cohortId }) => cohorts.members(cohortId),
    },
    executors: {
      'model.embed': libraryEmbeddingExecutor({
        database: catalog.database,
        libraryPath: catalog.libraryPath,
        models,
        engine: context.engine,
        index: vectorIndex,
      }),
    },
    embedNewImages: () => {
      const model = search.activeModel();
      if (model) submitJob('model.embed', { modelId: model.id });
    },
    close: () => queryEngine.stop(),
  };
}
