// Importing folders of DICOM studies and reports: the preview, the job, and its per-file log.
import type { ChildProcessLauncher } from '../child-process/child-process-channel.js';
import type { CoreContext, CoreFeature } from '../core-feature.js';
import { pseudonymisePaths } from '../library/catalog-paths.js';
import { importedFiles } from '../library/library-queries.js';
import { importJobExecutor, markImportRunsInterrupted } from './import-job.js';
import { previewFolder } from './preview-folder.js';

export function importFeature(
  context: CoreContext,
  launchImportWorker: ChildProcessLauncher,
  afterImport: () => void,
): CoreFeature<'import.start' | 'import.preview' | 'import.files', 'library.import'> {
  const { database } = context.catalog;
  return {
    handlers: {
      'import.start': async (parameters) => {
        if (parameters.pseudonymisePaths) pseudonymisePaths(database);
        return context.submitJob('library.import', parameters);
      },
      'import.files': async (query) => importedFiles(database, query),
      'import.preview': async ({ folder }) => previewFolder(folder),
    },
    executors: { 'library.import': importJobExecutor(context, launchImportWorker, afterImport) },
    recoverInterrupted: (jobs) => markImportRunsInterrupted(database, jobs),
  };
}
