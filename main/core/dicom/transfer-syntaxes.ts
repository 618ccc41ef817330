export type PixelCodec =
  'native' | 'rle' | 'jpeg-baseline' | 'jpeg-extended' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg-2000' | 'htj2k';

export interface TransferSyntax {
  uid: string;
  name: string;
  codec: PixelCodec | null;
  lossless: boolean;
  bigEndian?: boolean;
  /** Why a syntax without a codec is not imported (such files are `skipped` with it). */
  notImported?: string;
}

const syntaxes: TransferSyntax[] = [
  { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', codec: 'native', lossless: true },
  { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', codec: 'native', lossless: true },
  { uid: '1.2.840.10008.1.2.1.99', name: 'Deflated Explicit VR Little Endian', codec: 'native', lossless: true },
  { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian', codec: 'native', lossless: true, bigEndian: true },
  { uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', codec: 'rle', lossless: true },
  { uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline (Process 1)', codec: 'jpeg-baseline', lossless: false },
  { uid: '1.2.840.10008.1.2.4.51', name: 'JPEG Extended (Process 2 & 4)', codec: 'jpeg-extended', lossless: false },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless (Process 14)', codec: 'jpeg-lossless', lossless: true },
  { uid: '1.2.840.10008.1.2.4.70', name: 'JPEG Lossless SV1', codec: 'jpeg-lossless', lossless: true },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless', codec: 'jpeg-ls', lossless: true },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Near-Lossless', codec: 'jpeg-ls', lossless: false },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 Lossless', codec: 'jpeg-2000', lossless: true },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000', codec: 'jpeg-2000', lossless: false },
  { uid: '1.2.840.10008.1.2.4.201', name: 'HTJ2K Lossless', codec: 'htj2k', lossless: true },
  { uid: '1.2.840.10008.1.2.4.202', name: 'HTJ2K Lossless RPCL', codec: 'htj2k', lossless: true },
  { uid: '1.2.840.10008.1.2.4.203', name: 'HTJ2K', codec: 'htj2k', lossless: false },
  {
    uid: '1.2.840.10008.1.2.4.100',
    name: 'MPEG2 Main Profile',
    codec: null,
    lossless: false,
    notImported: 'video is not imported as images',
  },
  {
    uid: '1.2.840.10008.1.2.4.102',
    name: 'MPEG-4 AVC/H.264',
    codec: null,
    lossless: false,
    notImported: 'video is not imported as images',
  },
  {
    uid: '1.2.840.10008.1.2.4.110',
    name: 'JPEG XL Lossless',
    codec: null,
    lossless: true,
    notImported: 'no JPEG XL decoder is bundled yet',
  },
];

const byUid = new Map(syntaxes.map((syntax) => [syntax.uid, syntax]));

export function transferSyntax(uid: string): TransferSyntax | null {
  return byUid.get(uid) ?? null;
}

export const implicitLittleEndian = '1.2.840.10008.1.2';
export const explicitLittleEndian = '1.2.840.10008.1.2.1';
export const explicitBigEndian = '1.2.840.10008.1.2.2';
