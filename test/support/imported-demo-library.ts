import { afterAll, beforeAll } from 'vitest';
import { openCatalogDatabase, type CatalogDatabase } from '../../main/core/library/catalog-database.js';
import { demoExport, runCli } from './demo-export.js';
import { temporaryLibrary } from './temporary-library.js';

export interface ImportedDemoLibrary {
  path: string;
  /** The library's catalog, open from the describe block's beforeAll to its afterAll. */
  catalog: CatalogDatabase;
}

/**
 * A new library holding `studies` demo studies imported by the real `unisight import`, for the tests of the describe
 * block that calls this: its catalog is opened before them, closed and the folder removed after them.
 */
export function importedDemoLibrary(studies: number, seed: string): ImportedDemoLibrary {
  const folder = temporaryLibrary();
  const library = { path: folder.path } as ImportedDemoLibrary;
  beforeAll(() => {
    const imported = runCli(['import', demoExport(studies, seed), '--library', folder.path, '--json']);
    if (imported.status !== 0) throw new Error(imported.stderr);
    library.catalog = openCatalogDatabase(folder.path);
  });
  afterAll(() => {
    library.catalog?.database.close();
    folder.remove();
  });
  return library;
}
