import { createCoreService, type CoreService } from '../core/core-service.js';
import { forkEngineLauncher } from '../core/engine/fork-engine.js';
import { engineEntryFile } from '../core/install-paths.js';
import { resolveLibraryLocation } from '../core/library/library-location.js';

const defaultEngineHeapMegabytes = 8192;

/** The core as server and CLI mode run it: the engine is a forked Node process with a capped heap. */
export function openCoreForCli(libraryFlag: string | undefined): CoreService {
  const library = resolveLibraryLocation({ flag: libraryFlag });
  const heap = Number(process.env.UNISIGHT_ENGINE_HEAP_MB) || defaultEngineHeapMegabytes;
  return createCoreService({
    libraryPath: library.path,
    launchEngine: forkEngineLauncher({ entryFile: engineEntryFile, maxHeapMegabytes: heap }),
  });
}
