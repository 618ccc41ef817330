import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { WasmBackendInternals } from './wasm-backend-internals.js';

/** One BatchMatMul call in the terms a GEMM needs: output [...batchShape, rows, columns] = op(A) · op(B). */
export interface BatchMatMulGeometry {
  batchShape: number[];
  batches: number;
  /** 1 when A (or B) is broadcast over the batches. */
  batchesOfA: number;
  batchesOfB: number;
  rows: number;
  columns: number;
  depth: number;
  transposeA: boolean;
  transposeB: boolean;
}

// Larger dimensions keep tfjs's kernel: the GEMM's scratch sizes are 32-bit, and no model here comes near.
const largestDimension = 1 << 20;

/**
 * The geometry of a float32 BatchMatMul a GEMM can run in place: equal batch shapes, or one operand not batched (then
 * broadcast), inner dimensions that agree. Anything else is null and keeps tfjs's kernel, which also raises tfjs's
 * errors for shapes that do not fit.
 */
function geometryOf(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  attributes: tf.NamedAttrMap | undefined,
): BatchMatMulGeometry | null {
  const transposeA = Boolean(attributes?.transposeA);
  const transposeB = Boolean(attributes?.transposeB);
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchesOfA = tf.util.sizeFromShape(outerA);
  const batchesOfB = tf.util.sizeFromShape(outerB);
  const rows = transposeA ? a.shape.at(-1)! : a.shape.at(-2)!;
  const depth = transposeA ? a.shape.at(-2)! : a.shape.at(-1)!;
  const depthOfB = transposeB ? b.shape.at(-1)! : b.shape.at(-2)!;
  const columns = transposeB ? b.shape.at(-2)! : b.shape.at(-1)!;
  const sameBatches = outerA.length === outerB.length && outerA.every((size, axis) => size === outerB[axis]);
  const supported =
    a.dtype === 'float32' &&
    b.dtype === 'float32' &&
    depth === depthOfB &&
    (sameBatches || batchesOfA === 1 || batchesOfB === 1) &&
    rows * columns * depth > 0 &&
    Math.max(rows, columns, depth) <= largestDimension;
  if (!supported) return null;
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  return {
    batchShape,
    batches: Math.max(batchesOfA, batchesOfB),
    batchesOfA,
    batchesOfB,
    rows,
    columns,
    depth,
    transposeA,
    transposeB,
  };
}

/** Byte offsets of a BatchMatMul's operands and output on the wasm heap. */
export interface HeapOperands {
  a: number;
  b: number;
  output: number;
}

export interface BatchMatMulReplacement {
  /** Named in errors and tests. */
  name: string;
  /** Whether it can work on this backend's heap (the OpenBLAS route cannot use the multi-threaded build's). */
  acceptsHeap(backend: WasmBackendInternals): boolean;
  /** Fills the output at `operands.output`. */
  multiply(backend: WasmBackendInternals, geometry: BatchMatMulGeometry, operands: HeapOperands): void;
  /** Releases what it holds (threads, scratch) once tfjs's kernel is back. */
  dispose?(): void;
}

let active: { replacement: BatchMatMulReplacement; restore: () => void } | null = null;

/**
 * Whether batched and transposed matMuls run as fast as plain 2-D ones here: on native TensorFlow, and on wasm while
 * one of our GEMM kernels is in use (tfjs's own wasm kernel runs them in a scalar loop).
 */
export function generalMatMulIsFast(): boolean {
  const backend = tf.getBackend();
  if (backend === 'tensorflow') return true;
  return (
    active !== null &&
    backend === 'wasm' &&
    active.replacement.acceptsHeap(tf.backend() as unknown as WasmBackendInternals)
  );
}

/**
 * Replaces the wasm backend's BatchMatMul with `replacement`, which works in place on the heap. Calls it cannot take
 * (other dtypes, general broadcasting, a heap it does not accept) keep tfjs's kernel. One replacement at a time: a new
 * one puts tfjs's kernel back first (backend selection may run more than once in a process). Returns a function that
 * puts tfjs's kernel back.
 */
export function replaceBatchMatMul(replacement: BatchMatMulReplacement): () => void {
  active?.restore();
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original) throw new Error('the wasm backend has no BatchMatMul kernel to replace');
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const backend = args.backend as WasmBackendInternals;
      const geometry = geometryOf(a, b, args.attrs);
      if (!geometry || !replacement.acceptsHeap(backend)) return original.kernelFunc(args);
      const output = backend.makeOutput([...geometry.batchShape, geometry.rows, geometry.columns], 'float32');
      const offsetOf = (tensor: tf.TensorInfo) => backend.dataIdMap.get(tensor.dataId).memoryOffset;
      try {
        replacement.multiply(backend, geometry, { a: offsetOf(a), b: offsetOf(b), output: offsetOf(output) });
      } catch (error) {
        backend.disposeData(output.dataId);
        throw error;
      }
      return output;
    },
  });
  const restore = () => {
    if (active?.replacement !== replacement) return;
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel(original);
    active = null;
    replacement.dispose?.();
  };
  active = { replacement, restore };
  return restore;
}
