import type * as tf from '@tensorflow/tfjs';

/** The parts of tfjs's BackendWasm that Unisight's replacement kernels use (the class is not typed for kernel authors). */
export interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(tensor: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}
