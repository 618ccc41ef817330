// The catalogue: what the library holds, its studies, images rendered and their DICOM tags.
import type { CoreContext, CoreFeature } from '../core-feature.js';
import { CatalogPaths } from './catalog-paths.js';
import { imageTags } from './image-tags.js';
import { librarySummary, listStudies, studyDetail, thumbnailDataUrl, unmatchedReports } from './library-queries.js';
import { renderCataloguedImage } from './render-catalogued-image.js';

type LibraryMethods =
  | 'library.summary'
  | 'library.studies'
  | 'library.study'
  | 'library.thumbnail'
  | 'library.imageTags'
  | 'library.renderImage'
  | 'library.unmatchedReports';

export function libraryFeature({ catalog, pseudonymiser }: CoreContext): CoreFeature<LibraryMethods> {
  const { database, libraryPath } = catalog;
  return {
    handlers: {
      'library.summary': async () => librarySummary(database),
      'library.studies': async ({ filter, offset, limit }) => listStudies(database, filter, offset, limit),
      'library.study': async ({ studyId }) => studyDetail(database, studyId),
      'library.thumbnail': async ({ imageId }) => ({ dataUrl: thumbnailDataUrl(database, libraryPath, imageId) }),
      'library.imageTags': async ({ imageId }) =>
        imageTags(database, CatalogPaths.of(database, pseudonymiser), imageId),
      'library.renderImage': async (request) =>
        renderCataloguedImage(database, CatalogPaths.of(database, pseudonymiser), request),
      'library.unmatchedReports': async ({ limit }) => unmatchedReports(database, limit),
    },
    executors: {},
  };
}
