import fs from 'node:fs';
import path from 'node:path';

/** Named float32 arrays and a JSON header in one file: checkpoints, exported models and stored embeddings. */
export interface TensorBundle {
  metadata: Record<string, unknown>;
  tensors: Map<string, { shape: number[]; values: Float32Array }>;
}

const magic = Buffer.from('UNISIGHT-TENSORS-1\n');

interface HeaderEntry {
  name: string;
  shape: number[];
  /** Byte offset into the data section. */
  offset: number;
}

/** Writes beside the target and renames, so a crash or a full disk leaves the previous file whole. */
export function writeTensorBundle(file: string, bundle: TensorBundle): void {
  const entries: HeaderEntry[] = [];
  let offset = 0;
  for (const [name, { shape, values }] of bundle.tensors) {
    if (shape.reduce((product, side) => product * side, 1) !== values.length)
      throw new Error(`tensor ${name}: shape ${shape.join('×')} does not hold ${values.length} values`);
    entries.push({ name, shape, offset });
    offset += values.byteLength;
  }
  const headerJson = Buffer.from(JSON.stringify({ metadata: bundle.metadata, tensors: entries }));
  // The data section starts on a 4-byte boundary so it can be viewed as Float32Array without copying.
  const headerLength = Buffer.alloc(4);
  const padding = (4 - ((magic.length + 4 + headerJson.length) % 4)) % 4;
  headerLength.writeUInt32LE(headerJson.length + padding);
  const temporary = `${file}.partial`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const descriptor = fs.openSync(temporary, 'w');
  try {
    try {
      fs.writeSync(descriptor, magic);
      fs.writeSync(descriptor, headerLength);
      fs.writeSync(descriptor, headerJson);
      fs.writeSync(descriptor, Buffer.alloc(padding, 0x20));
      for (const { values } of bundle.tensors.values())
        fs.writeSync(descriptor, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      fs.fsyncSync(descriptor);
    } finally {
      fs.closeSync(descriptor);
    }
    fs.renameSync(temporary, file);
  } catch (error) {
    // A full disk mid-write: the previous file stays whole, and no half-written one is left beside it.
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

interface BundleHeader {
  metadata: Record<string, unknown>;
  tensors: HeaderEntry[];
}

function parseHeader(bytes: Buffer, file: string, fileLength: number): { header: BundleHeader; dataStart: number } {
  if (bytes.length < magic.length + 4 || !bytes.subarray(0, magic.length).equals(magic))
    throw new Error(`${path.basename(file)} is not a Unisight model or checkpoint file.`);
  const dataStart = magic.length + 4 + bytes.readUInt32LE(magic.length);
  if (dataStart > fileLength) throw new Error(`${path.basename(file)} is truncated.`);
  try {
    return {
      header: JSON.parse(bytes.subarray(magic.length + 4, dataStart).toString('utf8')) as BundleHeader,
      dataStart,
    };
  } catch {
    throw new Error(`${path.basename(file)} has a damaged header.`);
  }
}

/** The header of an open bundle, checking the file is long enough to hold every tensor it lists. */
function readHeader(descriptor: number, file: string): { header: BundleHeader; dataStart: number } {
  const fileLength = fs.fstatSync(descriptor).size;
  const prefix = Buffer.alloc(magic.length + 4);
  fs.readSync(descriptor, prefix, 0, prefix.length, 0);
  const headerLength = prefix.subarray(0, magic.length).equals(magic) ? prefix.readUInt32LE(magic.length) : 0;
  const bytes = Buffer.alloc(prefix.length + Math.min(headerLength, Math.max(0, fileLength - prefix.length)));
  fs.readSync(descriptor, bytes, 0, bytes.length, 0);
  const { header, dataStart } = parseHeader(bytes, file, fileLength);
  const dataBytes = header.tensors.reduce(
    (total, entry) => total + entry.shape.reduce((product, side) => product * side, 1) * 4,
    0,
  );
  if (dataStart + dataBytes > fileLength) throw new Error(`${path.basename(file)} is truncated.`);
  return { header, dataStart };
}

/** The metadata and tensor shapes without reading the weights, checking the file is long enough to hold them. */
export function readTensorBundleHeader(file: string): {
  metadata: Record<string, unknown>;
  tensors: Array<{ name: string; shape: number[] }>;
} {
  const descriptor = fs.openSync(file, 'r');
  try {
    const { header } = readHeader(descriptor, file);
    return { metadata: header.metadata, tensors: header.tensors.map(({ name, shape }) => ({ name, shape })) };
  } finally {
    fs.closeSync(descriptor);
  }
}

/** The metadata and only the named tensors (those the file has): a few small tensors of a large model, read alone. */
export function readNamedTensors(file: string, names: readonly string[]): TensorBundle {
  const descriptor = fs.openSync(file, 'r');
  try {
    const { header, dataStart } = readHeader(descriptor, file);
    const tensors: TensorBundle['tensors'] = new Map();
    const fileLength = fs.fstatSync(descriptor).size;
    for (const entry of header.tensors.filter(({ name }) => names.includes(name))) {
      const values = new Float32Array(entry.shape.reduce((product, side) => product * side, 1));
      const start = dataStart + entry.offset;
      const read =
        start + values.byteLength <= fileLength
          ? fs.readSync(descriptor, new Uint8Array(values.buffer), 0, values.byteLength, start)
          : -1;
      if (read !== values.byteLength) throw new Error(`${path.basename(file)} is truncated (tensor ${entry.name}).`);
      tensors.set(entry.name, { shape: entry.shape, values });
    }
    return { metadata: header.metadata, tensors };
  } finally {
    fs.closeSync(descriptor);
  }
}

export function readTensorBundle(file: string): TensorBundle {
  const bytes = fs.readFileSync(file);
  const { header, dataStart } = parseHeader(bytes, file, bytes.length);
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset + dataStart, bytes.length - dataStart).slice();
  const tensors = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const entry of header.tensors) {
    const length = entry.shape.reduce((product, side) => product * side, 1);
    if (entry.offset + length * 4 > data.length)
      throw new Error(`${path.basename(file)} is truncated (tensor ${entry.name}).`);
    tensors.set(entry.name, { shape: entry.shape, values: new Float32Array(data.buffer, entry.offset, length) });
  }
  return { metadata: header.metadata, tensors };
}
