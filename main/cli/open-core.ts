import { createCoreService, type CoreService } from '../core/core-service.js';
import { forkLauncher } from '../core/child-process/fork-launcher.js';
import { importWorkerHeapMegabytes } from '../core/import/worker-pool.js';
import { engineEntryFile, importWorkerFile } from '../core/install-paths.js';
import { resolveLibraryLocation } from '../core/library/library-location.js';

const defaultEngineHeapMegabytes = 8192;

/**
 * The core as server and CLI mode run it: the engine and import workers are forked Node processes with capped heaps.
 */
export function openCoreForCli(libraryFlag: string | undefined): CoreService {
  const library = resolveLibraryLocation({ flag: libraryFlag });
  const heap = Number(process.env.UNISIGHT_ENGINE_HEAP_MB) || defaultEngineHeapMegabytes;
  return createCoreService({
    libraryPath: library.path,
    launchEngine: forkLauncher({ entryFile: engineEntryFile, maxHeapMegabytes: heap }),
    launchImportWorker: forkLauncher({ entryFile: importWorkerFile, maxHeapMegabytes: importWorkerHeapMegabytes }),
  });
}
