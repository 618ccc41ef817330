// The app itself: versions, the library file, the engine's backend and self-check, the machine's folders, logs.
import fs from 'node:fs';
import { describeJpeg2000Route } from '../dicom/codecs/native-jpeg-2000.js';
import { listFolders } from '../files/list-folders.js';
import { appVersion } from '../install-paths.js';
import { pathsArePseudonymised } from '../library/catalog-paths.js';
import type { CoreContext, CoreFeature } from '../core-feature.js';

type AppMethods = 'app.info' | 'engine.selfcheck' | 'system.chooseFolder' | 'system.listFolders' | 'logs.recent';

export function appFeature(
  { catalog, engine, logs, submitJob }: CoreContext,
  /** The OS folder dialog, where there is one (the desktop app). */
  chooseFolder: (() => Promise<string | null>) | undefined,
): CoreFeature<AppMethods, 'engine.selfcheck'> {
  return {
    handlers: {
      'app.info': async () => ({
        appVersion,
        nodeVersion: process.versions.node,
        electronVersion: process.versions.electron ?? null,
        platform: process.platform,
        architecture: process.arch,
        library: {
          path: catalog.libraryPath,
          databaseFile: catalog.databaseFile,
          schemaVersion: catalog.schemaVersion,
          databaseBytes: fs.statSync(catalog.databaseFile).size,
          pathsPseudonymised: pathsArePseudonymised(catalog.database),
        },
        engine: engine.status,
        jpeg2000Decoder: describeJpeg2000Route(),
        nativeFolderPicker: Boolean(chooseFolder),
      }),
      'engine.selfcheck': async (parameters) => submitJob('engine.selfcheck', parameters),
      'system.chooseFolder': async () => ({ folder: chooseFolder ? await chooseFolder() : null }),
      'system.listFolders': async ({ folder }) => listFolders(folder),
      'logs.recent': async ({ limit }) => logs.recent(limit),
    },
    executors: {
      'engine.selfcheck': {
        lane: 'engine',
        unit: 'steps',
        run: (job, context) => engine.runTask(job.id, 'selfcheck', job.parameters, context),
      },
    },
  };
}
