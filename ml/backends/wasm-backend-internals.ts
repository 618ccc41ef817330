import type * as tf from '@tensorflow/tfjs';

/**
 * The parts of tfjs's BackendWasm that Unisight's replacement kernels use (the class is not typed for kernel authors).
 */
export interface WasmBackendInternals {
  wasm: {
    HEAPU8: Uint8Array;
    _malloc(bytes: number): number;
    _free(offset: number): void;
    /** The heap: set by the multi-threaded build (which shares it with its pthreads). */
    wasmMemory?: WebAssembly.Memory;
    /** The module's exports; the single-threaded build exports its heap here. */
    asm?: { memory?: WebAssembly.Memory };
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  incRef(dataId: object): void;
  disposeData(dataId: object): boolean;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(tensor: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}
