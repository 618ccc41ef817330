// Single-precision GEMM for tfjs's wasm heap, in AssemblyScript (compiled by scripts/build-wasm.js).
//
// Why our own: the XNNPACK build inside @tensorflow/tfjs-backend-wasm runs SIMD128 without fused multiply-add and
// reaches ~17 GFLOPS per thread here; this 4×8 register tile with f32x4.relaxed_madd reaches ~40 (bench/RESULTS.md).
// Both operands are packed block by block (op(A) into 4-row tiles, op(B) into 8-column panels), so transposed operands
// cost only their packing and power-of-two strides cannot thrash the cache; batches are looped over here.
//
// Every address is a byte offset into the imported memory (tfjs's heap). The module has no data segments and writes
// only the output and the scratch area it is given, so sharing the heap with tfjs is safe.

const columnsPerPanel: i32 = 8;
const rowsPerTile: i32 = 4;
const depthPerBlock: i32 = 256;
const rowsPerBlock: i32 = 128;

@inline function multiplyAdd(a: v128, b: v128, sum: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, sum);
  return f32x4.add(sum, f32x4.mul(a, b));
}

// One 4×8 tile of C over `depth` steps: the row tile holds 4 floats of op(A) per step, the panel 8 floats of op(B).
// Writes (or adds to) 4 rows of 8 floats at `output`, rows outputRowBytes apart.
@inline function tile(depth: i32, rowTile: usize, panel: usize, output: usize, outputRowBytes: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let step = 0; step < depth; step++) {
    const b0 = v128.load(panel);
    const b1 = v128.load(panel, 16);
    let a = v128.load32_splat(rowTile);
    c00 = multiplyAdd(a, b0, c00); c01 = multiplyAdd(a, b1, c01);
    a = v128.load32_splat(rowTile, 4);
    c10 = multiplyAdd(a, b0, c10); c11 = multiplyAdd(a, b1, c11);
    a = v128.load32_splat(rowTile, 8);
    c20 = multiplyAdd(a, b0, c20); c21 = multiplyAdd(a, b1, c21);
    a = v128.load32_splat(rowTile, 12);
    c30 = multiplyAdd(a, b0, c30); c31 = multiplyAdd(a, b1, c31);
    rowTile += 16;
    panel += 32;
  }
  const out0 = output, out1 = out0 + outputRowBytes, out2 = out1 + outputRowBytes, out3 = out2 + outputRowBytes;
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(out0)); c01 = f32x4.add(c01, v128.load(out0, 16));
    c10 = f32x4.add(c10, v128.load(out1)); c11 = f32x4.add(c11, v128.load(out1, 16));
    c20 = f32x4.add(c20, v128.load(out2)); c21 = f32x4.add(c21, v128.load(out2, 16));
    c30 = f32x4.add(c30, v128.load(out3)); c31 = f32x4.add(c31, v128.load(out3, 16));
  }
  v128.store(out0, c00); v128.store(out0, c01, 16);
  v128.store(out1, c10); v128.store(out1, c11, 16);
  v128.store(out2, c20); v128.store(out2, c21, 16);
  v128.store(out3, c30); v128.store(out3, c31, 16);
}

// Stores the 4×4 block whose rows are r0..r3 transposed: column j goes to target + j * stride.
@inline function storeTransposed(r0: v128, r1: v128, r2: v128, r3: v128, target: usize, stride: usize): void {
  const low01 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const high01 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const low23 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const high23 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(target, v128.shuffle<f32>(low01, low23, 0, 1, 4, 5));
  v128.store(target + stride, v128.shuffle<f32>(low01, low23, 2, 3, 6, 7));
  v128.store(target + 2 * stride, v128.shuffle<f32>(high01, high23, 0, 1, 4, 5));
  v128.store(target + 3 * stride, v128.shuffle<f32>(high01, high23, 2, 3, 6, 7));
}

// Copies `depth` steps of `columns` columns of op(B) into panels of 8 (the last one zero-padded), panel after panel.
// Rows of a stored B are contiguous; columns of a transposed one are, and go through 4×4 register transposes.
function packPanels(depth: i32, columns: i32, b: usize, depthStride: usize, columnStride: usize, packed: usize): void {
  const panels = (columns + columnsPerPanel - 1) / columnsPerPanel;
  let target = packed;
  for (let panel = 0; panel < panels; panel++) {
    const first = panel * columnsPerPanel;
    const width = min(columnsPerPanel, columns - first);
    const start = b + <usize>first * columnStride;
    let step = 0;
    if (width == columnsPerPanel && columnStride == 4) {
      for (; step < depth; step++) {
        const source = start + <usize>step * depthStride;
        v128.store(target, v128.load(source));
        v128.store(target, v128.load(source, 16), 16);
        target += 32;
      }
    } else if (width == columnsPerPanel && depthStride == 4) {
      for (; step + 4 <= depth; step += 4) {
        for (let half = 0; half < 2; half++) {
          const column = start + <usize>step * 4 + <usize>(half * 4) * columnStride;
          storeTransposed(v128.load(column), v128.load(column + columnStride), v128.load(column + 2 * columnStride), v128.load(column + 3 * columnStride), target + <usize>half * 16, 32);
        }
        target += 128;
      }
    }
    for (; step < depth; step++) {
      const source = start + <usize>step * depthStride;
      for (let column = 0; column < columnsPerPanel; column++) {
        store<f32>(target + <usize>column * 4, column < width ? load<f32>(source + <usize>column * columnStride) : 0);
      }
      target += 32;
    }
  }
}

// Copies `depth` steps of `rows` rows of op(A) into tiles of 4 rows, 4 floats per step; rows past the end repeat the
// last real one (their results are dropped). Columns of a transposed A are contiguous; rows of a stored one are, and
// go through 4×4 register transposes.
function packTiles(depth: i32, rows: i32, a: usize, rowStride: usize, depthStride: usize, packed: usize): void {
  const tiles = (rows + rowsPerTile - 1) / rowsPerTile;
  let target = packed;
  for (let tileIndex = 0; tileIndex < tiles; tileIndex++) {
    const first = tileIndex * rowsPerTile;
    const row0 = a + <usize>first * rowStride;
    const row1 = a + <usize>min(first + 1, rows - 1) * rowStride;
    const row2 = a + <usize>min(first + 2, rows - 1) * rowStride;
    const row3 = a + <usize>min(first + 3, rows - 1) * rowStride;
    let step = 0;
    if (first + rowsPerTile <= rows && rowStride == 4) {
      for (; step < depth; step++) {
        v128.store(target, v128.load(row0 + <usize>step * depthStride));
        target += 16;
      }
    } else if (depthStride == 4) {
      for (; step + 4 <= depth; step += 4) {
        const offset = <usize>step * 4;
        storeTransposed(v128.load(row0 + offset), v128.load(row1 + offset), v128.load(row2 + offset), v128.load(row3 + offset), target, 16);
        target += 64;
      }
    }
    for (; step < depth; step++) {
      const offset = <usize>step * depthStride;
      store<f32>(target, load<f32>(row0 + offset));
      store<f32>(target, load<f32>(row1 + offset), 4);
      store<f32>(target, load<f32>(row2 + offset), 8);
      store<f32>(target, load<f32>(row3 + offset), 12);
      target += 16;
    }
  }
}

function packedColumnsBytes(columns: i32): i32 {
  return depthPerBlock * ((columns + columnsPerPanel - 1) / columnsPerPanel) * columnsPerPanel * 4;
}

const packedRowsBytes: i32 = rowsPerBlock * depthPerBlock * 4;
const edgeBytes: i32 = rowsPerTile * columnsPerPanel * 4;

/** Bytes of scratch one call computing this many output columns needs. */
export function scratchBytes(columns: i32): i32 {
  return packedColumnsBytes(columns) + packedRowsBytes + edgeBytes;
}

/**
 * C[batch][row][column] = Σ_d op(A)[batch][row][d] · op(B)[batch][d][column] for batches [batchStart, batchEnd), rows
 * [rowStart, rowEnd) and columns [columnStart, columnEnd) (columnStart a multiple of 8); C is dense row-major with
 * `columns` floats per row. Strides are in bytes (0 broadcasts a batch). `scratch` needs scratchBytes(columnEnd − columnStart).
 */
export function sgemm(
  batchStart: i32, batchEnd: i32, rowStart: i32, rowEnd: i32, columnStart: i32, columnEnd: i32, columns: i32, depth: i32,
  a: usize, aBatchStride: usize, aRowStride: usize, aDepthStride: usize,
  b: usize, bBatchStride: usize, bDepthStride: usize, bColumnStride: usize,
  c: usize, cBatchStride: usize, scratch: usize,
): void {
  const outputRowBytes = <usize>columns * 4;
  const ownColumns = columnEnd - columnStart;
  const panels = (ownColumns + columnsPerPanel - 1) / columnsPerPanel;
  const packedColumns = scratch;
  const packedRows = packedColumns + <usize>packedColumnsBytes(ownColumns);
  const edge = packedRows + <usize>packedRowsBytes;
  for (let batch = batchStart; batch < batchEnd; batch++) {
    const aBatch = a + <usize>batch * aBatchStride;
    const bBatch = b + <usize>batch * bBatchStride + <usize>columnStart * bColumnStride;
    const cBatch = c + <usize>batch * cBatchStride + <usize>columnStart * 4;
    for (let depthStart = 0; depthStart < depth; depthStart += depthPerBlock) {
      const blockDepth = min(depthPerBlock, depth - depthStart);
      const accumulate = depthStart > 0;
      packPanels(blockDepth, ownColumns, bBatch + <usize>depthStart * bDepthStride, bDepthStride, bColumnStride, packedColumns);
      for (let blockStart = rowStart; blockStart < rowEnd; blockStart += rowsPerBlock) {
        const blockRows = min(rowsPerBlock, rowEnd - blockStart);
        packTiles(blockDepth, blockRows, aBatch + <usize>blockStart * aRowStride + <usize>depthStart * aDepthStride, aRowStride, aDepthStride, packedRows);
        for (let panel = 0; panel < panels; panel++) {
          const panelStart = packedColumns + <usize>(panel * blockDepth * columnsPerPanel) * 4;
          const firstColumn = panel * columnsPerPanel;
          const width = min(columnsPerPanel, ownColumns - firstColumn);
          for (let first = 0; first < blockRows; first += rowsPerTile) {
            const rows = min(rowsPerTile, blockRows - first);
            const rowTile = packedRows + <usize>(first * blockDepth) * 4;
            const output = cBatch + <usize>(blockStart + first) * outputRowBytes + <usize>firstColumn * 4;
            if (rows == rowsPerTile && width == columnsPerPanel) {
              tile(blockDepth, rowTile, panelStart, output, outputRowBytes, accumulate);
            } else {
              tile(blockDepth, rowTile, panelStart, edge, columnsPerPanel * 4, false);
              for (let r = 0; r < rows; r++) {
                for (let column = 0; column < width; column++) {
                  const target = output + <usize>r * outputRowBytes + <usize>column * 4;
                  const value = load<f32>(edge + <usize>(r * columnsPerPanel + column) * 4);
                  store<f32>(target, accumulate ? load<f32>(target) + value : value);
                }
              }
            }
          }
        }
      }
    }
  }
}
