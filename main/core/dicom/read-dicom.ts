import zlib from 'node:zlib';
import dicomParser, { type DataSet } from 'dicom-parser';
import { explicitBigEndian, explicitLittleEndian, implicitLittleEndian } from './transfer-syntaxes.js';

/**
 * A file the importer will not catalogue: `skipped` when that is expected (not DICOM, no image), `failed` when broken.
 */
export class DicomImportError extends Error {
  constructor(
    readonly outcome: 'skipped' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'DicomImportError';
  }
}

export interface ParsedDicom {
  dataSet: DataSet;
  transferSyntaxUid: string;
  /** How the file announced itself: a Part-10 file, or a bare data set whose encoding was recognised. */
  layout: 'part10' | 'bare-dataset';
}

const uppercase = (byte: number): boolean => byte >= 0x41 && byte <= 0x5a;

/**
 * Recognises DICOM by content: the `DICM` marker after the 128-byte preamble, or, for files written without
 * preamble and meta header, a first data element of a plausible group in one of the three classic encodings.
 */
export function sniffDicom(bytes: Uint8Array): ParsedDicom['layout'] | { bareSyntax: string } | null {
  if (bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d)
    return 'part10';
  if (bytes.length < 16) return null;
  const groupLittle = bytes[0]! | (bytes[1]! << 8);
  const groupBig = (bytes[0]! << 8) | bytes[1]!;
  const explicitVr = uppercase(bytes[4]!) && uppercase(bytes[5]!);
  if (groupLittle === 0x0002 && explicitVr) return { bareSyntax: 'meta-without-preamble' };
  if (groupLittle === 0x0008 || groupLittle === 0x0010 || groupLittle === 0x0018 || groupLittle === 0x0020) {
    const elementLength = bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24);
    if (explicitVr) return { bareSyntax: explicitLittleEndian };
    if (elementLength >= 0 && elementLength < bytes.length) return { bareSyntax: implicitLittleEndian };
  }
  if ((groupBig === 0x0008 || groupBig === 0x0010) && explicitVr) return { bareSyntax: explicitBigEndian };
  return null;
}

/** Inflates a deflated data set with a ceiling, so a small hostile file cannot expand into gigabytes. */
function cappedInflater(maximumBytes: number) {
  return (byteArray: Uint8Array, position: number): Uint8Array => {
    let inflated: Buffer;
    try {
      inflated = zlib.inflateRawSync(byteArray.subarray(position), { maxOutputLength: maximumBytes });
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
          ? `it inflates past ${Math.floor(maximumBytes / 1024 ** 2)} MB, more than one import worker may use`
          : (error as Error).message;
      throw new DicomImportError('failed', `deflated data set cannot be inflated: ${reason}`);
    }
    const whole = new Uint8Array(position + inflated.length);
    whole.set(byteArray.subarray(0, position), 0);
    whole.set(inflated, position);
    return whole;
  };
}

function describeParserError(error: unknown): string {
  const text = typeof error === 'string' ? error : error instanceof Error ? error.message : JSON.stringify(error);
  return text.replace(/^dicomParser\.\w+: /, '');
}

export function parseDicomBytes(bytes: Uint8Array, maximumInflatedBytes = 1 << 30): ParsedDicom {
  const sniffed = sniffDicom(bytes);
  if (sniffed === null)
    throw new DicomImportError('skipped', 'not a DICOM file (no DICM marker and no recognisable data set)');
  let input = bytes;
  let options: dicomParser.ParseDicomOptions = { inflater: cappedInflater(maximumInflatedBytes) as never };
  let layout: ParsedDicom['layout'] = 'part10';
  if (typeof sniffed === 'object') {
    layout = 'bare-dataset';
    if (sniffed.bareSyntax === 'meta-without-preamble') {
      input = new Uint8Array(132 + bytes.length);
      input.set([0x44, 0x49, 0x43, 0x4d], 128);
      input.set(bytes, 132);
      layout = 'part10';
    } else {
      options = { ...options, TransferSyntaxUID: sniffed.bareSyntax };
    }
  }
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(input, options);
  } catch (error) {
    if (error instanceof DicomImportError) throw error;
    const partial = (error as { dataSet?: DataSet }).dataSet;
    const reason = describeParserError((error as { exception?: unknown }).exception ?? error);
    throw new DicomImportError(
      'failed',
      partial ? `truncated or malformed data set: ${reason}` : `cannot parse DICOM: ${reason}`,
    );
  }
  const transferSyntaxUid = dataSet.string('x00020010') ?? (options.TransferSyntaxUID as string | undefined);
  if (!transferSyntaxUid)
    throw new DicomImportError('failed', 'the file meta information has no Transfer Syntax UID (0002,0010)');
  return { dataSet, transferSyntaxUid: transferSyntaxUid.replace(/\0/g, '').trim(), layout };
}
