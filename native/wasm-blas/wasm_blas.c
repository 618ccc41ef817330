// Single-precision GEMM on memory inside an ArrayBuffer (the tfjs wasm heap), through the system's CBLAS (OpenBLAS).
// Operands are addressed by byte offsets, so TensorFlow.js tensors are read and written in place, without copies.
// Every offset and size is checked against the buffer's length before BLAS sees a pointer.
#include <cblas.h>
#include <node_api.h>
#include <stdint.h>

void openblas_set_num_threads(int threads);

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static int read_int64(napi_env env, napi_value value, int64_t *out) {
  return napi_get_value_int64(env, value, out) == napi_ok;
}

// A row-major matrix of `rows` × `columns` with leading dimension `leading`, starting at byte `offset`, fits in `length`.
static int fits(int64_t offset, int64_t rows, int64_t columns, int64_t leading, size_t length) {
  if (offset < 0 || rows <= 0 || columns <= 0 || leading < columns || offset % 4 != 0) return 0;
  int64_t last = offset + ((rows - 1) * leading + columns) * 4;
  return last <= (int64_t)length;
}

// sgemm(buffer, transposeA, transposeB, m, n, k, aOffset, bOffset, cOffset): C[m×n] = op(A)·op(B), row-major,
// op(A) m×k and op(B) k×n, each stored densely (A is k×m when transposed, B is n×k when transposed).
static napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 9) return fail(env, "sgemm expects 9 arguments");
  void *data = NULL;
  size_t length = 0;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok) return fail(env, "sgemm: the first argument must be an ArrayBuffer");
  bool transpose_a = false, transpose_b = false;
  if (napi_get_value_bool(env, argv[1], &transpose_a) != napi_ok || napi_get_value_bool(env, argv[2], &transpose_b) != napi_ok) return fail(env, "sgemm: transpose flags must be booleans");
  int64_t m, n, k, a_offset, b_offset, c_offset;
  if (!read_int64(env, argv[3], &m) || !read_int64(env, argv[4], &n) || !read_int64(env, argv[5], &k) || !read_int64(env, argv[6], &a_offset) ||
      !read_int64(env, argv[7], &b_offset) || !read_int64(env, argv[8], &c_offset)) return fail(env, "sgemm: sizes and offsets must be integers");
  if (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) return fail(env, "sgemm: a dimension is too large");
  int64_t lda = transpose_a ? m : k, ldb = transpose_b ? k : n;
  if (!fits(a_offset, transpose_a ? k : m, lda, lda, length) || !fits(b_offset, transpose_b ? n : k, ldb, ldb, length) || !fits(c_offset, m, n, n, length)) {
    return fail(env, "sgemm: an operand lies outside the buffer");
  }
  char *base = (char *)data;
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, 1.0f,
              (const float *)(base + a_offset), (int)lda, (const float *)(base + b_offset), (int)ldb, 0.0f, (float *)(base + c_offset), (int)n);
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t threads = 1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || napi_get_value_int32(env, argv[0], &threads) != napi_ok || threads < 1) {
    return fail(env, "setThreads expects a positive integer");
  }
  openblas_set_num_threads(threads);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 2, properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
