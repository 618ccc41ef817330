import type { ChestImage } from '../../main/demo/chest-phantom.js';

/**
 * The data set of a 12-bit DX film of a drawn phantom, as the demo generator writes it; `overrides` change or add
 * attributes.
 */
export function phantomFilmDataset(
  film: Pick<ChestImage, 'width' | 'height'>,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
    SOPInstanceUID: '2.25.1',
    StudyInstanceUID: '2.25.2',
    SeriesInstanceUID: '2.25.3',
    Modality: 'DX',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: film.height,
    Columns: film.width,
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    ...overrides,
  };
}
