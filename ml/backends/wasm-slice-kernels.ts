import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { WasmBackendInternals } from './wasm-backend-internals.js';

/**
 * Copies the block `begin`..`begin + size` of `source` (shape `shape`) into `target`, one innermost run at a time.
 * Both are views of the wasm heap, so nothing but the block is copied.
 */
function copyBlock(
  source: ArrayLike<number> & { subarray(start: number, end: number): ArrayLike<number> },
  shape: number[],
  begin: number[],
  size: number[],
  target: { set(values: ArrayLike<number>, offset: number): void },
): void {
  const rank = shape.length;
  const strides = tf.util.computeStrides(shape);
  const run = size[rank - 1]!;
  const outerCount = tf.util.sizeFromShape(size.slice(0, -1));
  const position = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let outer = 0; outer < outerCount; outer++) {
    let offset = begin[rank - 1]!;
    for (let axis = 0; axis < rank - 1; axis++) offset += (begin[axis]! + position[axis]!) * strides[axis]!;
    target.set(source.subarray(offset, offset + run), outer * run);
    for (let axis = rank - 2; axis >= 0; axis--) {
      if (++position[axis]! < size[axis]!) break;
      position[axis] = 0;
    }
  }
}

function sliceFromHeap(
  backend: WasmBackendInternals,
  input: tf.TensorInfo,
  begin: number[],
  size: number[],
): tf.TensorInfo {
  const output = backend.makeOutput(size, input.dtype);
  if (tf.util.sizeFromShape(size) === 0) return output;
  // Views are taken after the allocation: growing the heap replaces its buffer.
  const target = backend.typedArrayFromHeap(output);
  const source = backend.typedArrayFromHeap(input);
  if (input.shape.length === 0) target.set(source);
  else copyBlock(source, input.shape, begin, size, target);
  return output;
}

let registered = false;

/**
 * Replaces Slice and Unpack for the wasm backend that read the input through a view of the heap. tfjs's own versions
 * first copy
 * the whole input out of the heap on every call (backend.readSync), so unstacking a [128, 65, 64] tensor took 173 ms
 * instead of 2 ms (platform.md); the attention layer unstacks per (batch, head). Strings keep the original kernels.
 */
export function registerWasmSliceKernels(): void {
  const originalSlice = tf.getKernel('Slice', 'wasm');
  const originalUnpack = tf.getKernel('Unpack', 'wasm');
  if (registered || !originalSlice || !originalUnpack) return;
  registered = true;
  tf.unregisterKernel('Slice', 'wasm');
  tf.unregisterKernel('Unpack', 'wasm');
  tf.registerKernel({ kernelName: 'Slice', backendName: 'wasm', kernelFunc: sliceKernel });
  tf.registerKernel({ kernelName: 'Unpack', backendName: 'wasm', kernelFunc: unpackKernel });

  function sliceKernel(args: {
    inputs: tf.NamedTensorInfoMap;
    attrs?: tf.NamedAttrMap;
    backend: unknown;
  }): tf.TensorInfo | tf.TensorInfo[] {
    const input = args.inputs.x!;
    if (input.dtype === 'string') return originalSlice!.kernelFunc(args as never);
    const [begin, size] = tf.slice_util.parseSliceParams(
      input as tf.Tensor,
      args.attrs!.begin as number[],
      args.attrs!.size as number[],
    );
    return sliceFromHeap(args.backend as WasmBackendInternals, input, begin!, size!);
  }

  function unpackKernel(args: {
    inputs: tf.NamedTensorInfoMap;
    attrs?: tf.NamedAttrMap;
    backend: unknown;
  }): tf.TensorInfo | tf.TensorInfo[] {
    const input = args.inputs.value!;
    if (input.dtype === 'string') return originalUnpack!.kernelFunc(args as never);
    const rank = input.shape.length;
    const axis = ((args.attrs!.axis as number) + rank) % rank;
    const size = [...input.shape];
    size[axis] = 1;
    const outputShape = input.shape.filter((_, index) => index !== axis);
    return Array.from({ length: input.shape[axis]! }, (_, index) => {
      const begin = new Array<number>(rank).fill(0);
      begin[axis] = index;
      const part = sliceFromHeap(args.backend as WasmBackendInternals, input, begin, size);
      return { ...part, shape: outputShape };
    });
  }
}
