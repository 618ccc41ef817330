// JPEG 2000 frame decoding through the system's OpenJPEG, for the importer's worker processes. Output matches
// Cornerstone's WebAssembly build of the same library, which stays the fallback: samples interleaved by component,
// 1 byte each up to 8 bits and 2 bytes (little-endian) up to 16. (JPEG-LS stays in WebAssembly: Debian's CharLS 2.4
// decoded the demo films in 9 ms where Cornerstone's WebAssembly build takes 6-7 ms.)
// Untrusted input: the caller states the frame's size from the DICOM header, and a stream whose own header disagrees is
// refused before any pixel buffer is allocated, so a hostile size field cannot make the decoder allocate gigabytes.
#include <node_api.h>
#include <openjpeg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

typedef struct {
  const uint8_t *data;
  size_t length;
  uint32_t columns, rows, components, needed_longer_side;
} frame_request;

// decodeX(encoded: Uint8Array, columns, rows, components, neededLongerSide = 0)
static int read_request(napi_env env, napi_callback_info info, frame_request *request) {
  size_t argc = 5;
  napi_value argv[5];
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4 || argc > 5) return 0;
  request->needed_longer_side = 0;
  napi_valuetype needed_type = napi_undefined;
  if (argc == 5 && napi_typeof(env, argv[4], &needed_type) == napi_ok && needed_type != napi_undefined &&
      napi_get_value_uint32(env, argv[4], &request->needed_longer_side) != napi_ok) return 0;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) return 0;
  if (napi_get_value_uint32(env, argv[1], &request->columns) != napi_ok || napi_get_value_uint32(env, argv[2], &request->rows) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &request->components) != napi_ok) return 0;
  request->data = data;
  request->length = length;
  return request->columns > 0 && request->rows > 0 && request->components > 0 && request->components <= 4;
}

// { width, height, bitsPerSample, componentCount, isSigned, bytes, resolutionReduction } around the ArrayBuffer the
// samples were decoded into.
static napi_value frame_object(napi_env env, uint32_t width, uint32_t height, uint32_t bits, uint32_t components, bool is_signed, uint32_t reduction, napi_value buffer, size_t size) {
  napi_value result, value, bytes;
  napi_create_typedarray(env, napi_uint8_array, size, buffer, 0, &bytes);
  napi_create_object(env, &result);
  napi_create_uint32(env, width, &value);
  napi_set_named_property(env, result, "width", value);
  napi_create_uint32(env, height, &value);
  napi_set_named_property(env, result, "height", value);
  napi_create_uint32(env, bits, &value);
  napi_set_named_property(env, result, "bitsPerSample", value);
  napi_create_uint32(env, components, &value);
  napi_set_named_property(env, result, "componentCount", value);
  napi_get_boolean(env, is_signed, &value);
  napi_set_named_property(env, result, "isSigned", value);
  napi_set_named_property(env, result, "bytes", bytes);
  napi_create_uint32(env, reduction, &value);
  napi_set_named_property(env, result, "resolutionReduction", value);
  return result;
}

typedef struct {
  const uint8_t *data;
  size_t length;
  size_t position;
} memory_stream;

static OPJ_SIZE_T stream_read(void *buffer, OPJ_SIZE_T bytes, void *user) {
  memory_stream *stream = user;
  if (stream->position >= stream->length) return (OPJ_SIZE_T)-1;
  size_t count = stream->length - stream->position < bytes ? stream->length - stream->position : bytes;
  memcpy(buffer, stream->data + stream->position, count);
  stream->position += count;
  return count;
}

static OPJ_OFF_T stream_skip(OPJ_OFF_T bytes, void *user) {
  memory_stream *stream = user;
  if (bytes < 0) {
    if ((size_t)-bytes > stream->position) bytes = -(OPJ_OFF_T)stream->position;
  } else if ((size_t)bytes > stream->length - stream->position) {
    bytes = (OPJ_OFF_T)(stream->length - stream->position);
  }
  stream->position += bytes;
  return bytes;
}

static OPJ_BOOL stream_seek(OPJ_OFF_T offset, void *user) {
  memory_stream *stream = user;
  if (offset < 0 || (size_t)offset > stream->length) return OPJ_FALSE;
  stream->position = (size_t)offset;
  return OPJ_TRUE;
}

static void remember_error(const char *message, void *user) {
  char *last = user;
  if (last[0] == '\0') {
    snprintf(last, 256, "%s", message);
    size_t end = strlen(last);
    if (end > 0 && last[end - 1] == '\n') last[end - 1] = '\0';
  }
}

static void ignore_message(const char *message, void *user) {
  (void)message;
  (void)user;
}

// Resolution levels to skip so that the longer side keeps at least `needed` pixels, at most `available` (the rule of
// main/core/dicom/codecs/resolution-reduction.ts): each level halves both sides, rounding up.
static uint32_t resolution_reduction(uint32_t width, uint32_t height, uint32_t available, uint32_t needed) {
  uint32_t longer = width > height ? width : height, reduction = 0;
  if (needed == 0) return 0;
  while (reduction < available && reduction < 31 && ((longer + (1u << (reduction + 1)) - 1) >> (reduction + 1)) >= needed) reduction++;
  return reduction;
}

// The fewest resolution levels any component's main-header coding style gives (tile headers may differ; a decode that
// then fails is retried at full size by the caller).
static uint32_t available_reduction(opj_codec_t *codec, uint32_t components) {
  opj_codestream_info_v2_t *codestream = opj_get_cstr_info(codec);
  if (!codestream || !codestream->m_default_tile_info.tccp_info) {
    if (codestream) opj_destroy_cstr_info(&codestream);
    return 0;
  }
  uint32_t levels = 32;
  for (uint32_t component = 0; component < components && component < codestream->nbcomps; component++) {
    uint32_t resolutions = codestream->m_default_tile_info.tccp_info[component].numresolutions;
    if (resolutions == 0) levels = 0;
    else if (resolutions - 1 < levels) levels = resolutions - 1;
  }
  opj_destroy_cstr_info(&codestream);
  return levels == 32 ? 0 : levels;
}

static const uint8_t jp2_signature[12] = {0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a};

static napi_value decode_jpeg_2000(napi_env env, napi_callback_info info) {
  frame_request request;
  if (!read_request(env, info, &request)) return fail(env, "decodeJpeg2000 expects (Uint8Array, columns, rows, components[, neededLongerSide])");
  memory_stream source = {request.data, request.length, 0};
  bool is_jp2 = request.length >= sizeof jp2_signature && memcmp(request.data, jp2_signature, sizeof jp2_signature) == 0;
  char error[256] = "";
  char message[320];
  opj_codec_t *codec = opj_create_decompress(is_jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
  opj_stream_t *stream = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE);
  opj_image_t *image = NULL;
  uint8_t *pixels = NULL;
  napi_value buffer = NULL, result = NULL;
  if (!codec || !stream) {
    snprintf(message, sizeof message, "JPEG 2000: cannot create a decoder");
    goto done;
  }
  opj_stream_set_user_data(stream, &source, NULL);
  opj_stream_set_user_data_length(stream, request.length);
  opj_stream_set_read_function(stream, stream_read);
  opj_stream_set_skip_function(stream, stream_skip);
  opj_stream_set_seek_function(stream, stream_seek);
  opj_set_error_handler(codec, remember_error, error);
  opj_set_warning_handler(codec, ignore_message, NULL);
  opj_set_info_handler(codec, ignore_message, NULL);
  opj_dparameters_t parameters;
  opj_set_default_decoder_parameters(&parameters);
  if (!opj_setup_decoder(codec, &parameters) || !opj_read_header(stream, codec, &image) || !image) {
    snprintf(message, sizeof message, "JPEG 2000 header: %s", error[0] ? error : "unreadable");
    goto done;
  }
  uint32_t width = image->x1 - image->x0, height = image->y1 - image->y0, components = image->numcomps;
  if (width != request.columns || height != request.rows || components != request.components) {
    snprintf(message, sizeof message, "JPEG 2000 stream is %u×%u×%u, the DICOM header says %u×%u×%u", width, height, components, request.columns, request.rows, request.components);
    goto done;
  }
  uint32_t precision = image->comps[0].prec;
  bool is_signed = image->comps[0].sgnd != 0;
  for (uint32_t component = 0; component < components; component++) {
    opj_image_comp_t *plane = &image->comps[component];
    if (plane->dx != 1 || plane->dy != 1 || plane->prec != precision || (plane->sgnd != 0) != is_signed) {
      snprintf(message, sizeof message, "JPEG 2000 components differ in sampling, precision or sign (not supported)");
      goto done;
    }
  }
  if (precision < 1 || precision > 16) {
    snprintf(message, sizeof message, "JPEG 2000 precision of %u bits is not supported", precision);
    goto done;
  }
  uint32_t reduction = resolution_reduction(width, height, available_reduction(codec, components), request.needed_longer_side);
  if (reduction > 0 && !opj_set_decoded_resolution_factor(codec, reduction)) {
    snprintf(message, sizeof message, "JPEG 2000: cannot decode %u resolution levels down", reduction);
    goto done;
  }
  // An image starting at the origin (DICOM's) loses half of each side per level, rounding up.
  width = (width + (1u << reduction) - 1) >> reduction;
  height = (height + (1u << reduction) - 1) >> reduction;
  if (!opj_decode(codec, stream, image) || !opj_end_decompress(codec, stream)) {
    snprintf(message, sizeof message, "JPEG 2000: %s", error[0] ? error : "decoding failed");
    goto done;
  }
  size_t samples = (size_t)width * height;
  size_t bytes_per_sample = precision <= 8 ? 1 : 2;
  size_t size = samples * components * bytes_per_sample;
  if (napi_create_arraybuffer(env, size, (void **)&pixels, &buffer) != napi_ok) {
    snprintf(message, sizeof message, "JPEG 2000: out of memory for the decoded frame");
    goto done;
  }
  for (uint32_t component = 0; component < components; component++) {
    const OPJ_INT32 *plane = image->comps[component].data;
    if (!plane || image->comps[component].w != width || image->comps[component].h != height) {
      snprintf(message, sizeof message, "JPEG 2000: component %u was not decoded at the image's size", component);
      goto done;
    }
    if (bytes_per_sample == 1) {
      for (size_t index = 0; index < samples; index++) pixels[index * components + component] = (uint8_t)plane[index];
    } else {
      uint16_t *words = (uint16_t *)pixels;
      for (size_t index = 0; index < samples; index++) words[index * components + component] = (uint16_t)plane[index];
    }
  }
  result = frame_object(env, width, height, precision, components, is_signed, reduction, buffer, size);
done:
  if (image) opj_image_destroy(image);
  if (stream) opj_stream_destroy(stream);
  if (codec) opj_destroy_codec(codec);
  if (!result) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) fail(env, message);
  }
  return result;
}

// The library version, for `unisight info`.
static napi_value openjpeg_version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value value;
  napi_create_string_utf8(env, opj_version(), NAPI_AUTO_LENGTH, &value);
  return value;
}

static napi_value initialise(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"decodeJpeg2000", NULL, decode_jpeg_2000, NULL, NULL, NULL, napi_default, NULL},
      {"openjpegVersion", NULL, openjpeg_version, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, initialise)
