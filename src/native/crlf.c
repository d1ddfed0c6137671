// LF -> CRLF for the wire (see src/message/crlf.ts): a LF not preceded by CR gets one; every
// other byte passes unchanged. In JavaScript this was a third of the user process's CPU while
// it sent a 20 MB body (a latin1 string each way around V8's replaceAll); here it is a memchr
// walk and a memcpy per line.
#include "addon.h"

#include <string.h>

/** How many CRs `data` needs; `prev` is the byte before it (-1: none, which counts as not CR). */
static size_t missing_crs(const unsigned char* data, size_t len, int prev) {
  size_t add = 0;
  const unsigned char* p = data;
  const unsigned char* end = data + len;
  while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
    int before = p > data ? p[-1] : prev;
    if (before != '\r') add++;
    p++;
  }
  return add;
}

/** The (Buffer, prev) arguments of both calls. */
typedef struct {
  napi_value buf;
  unsigned char* data;
  size_t len;
  int prev;
} CrlfArgs;

static int buffer_args(napi_env env, napi_callback_info info, CrlfArgs* a) {
  size_t argc = 2;
  napi_value argv[2];
  bool isBuffer = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_is_buffer(env, argv[0], &isBuffer) != napi_ok || !isBuffer) {
    napi_throw_type_error(env, NULL, "crlf: a Buffer was expected");
    return 0;
  }
  int32_t p = -1;
  if (argc >= 2 && napi_get_value_int32(env, argv[1], &p) != napi_ok) {
    napi_throw_type_error(env, NULL, "crlf: prev must be a byte or -1");
    return 0;
  }
  void* d = NULL;
  if (napi_get_buffer_info(env, argv[0], &d, &a->len) != napi_ok) {
    napi_throw_error(env, NULL, "crlf: unreadable Buffer");
    return 0;
  }
  a->buf = argv[0];
  a->data = d;
  a->prev = p;
  return 1;
}

/** missingCrs(chunk, prev = -1) -> number of bytes the CRLF form adds. */
napi_value crlf_missing(napi_env env, napi_callback_info info) {
  CrlfArgs a;
  napi_value out;
  if (!buffer_args(env, info, &a)) return NULL;
  if (napi_create_double(env, (double)missing_crs(a.data, a.len, a.prev), &out) != napi_ok) return NULL;
  return out;
}

/** toCrlf(chunk, prev = -1) -> chunk itself when nothing is missing, else a new Buffer. */
napi_value crlf_convert(napi_env env, napi_callback_info info) {
  CrlfArgs a;
  napi_value out;
  if (!buffer_args(env, info, &a)) return NULL;
  const unsigned char* data = a.data;
  size_t len = a.len;
  int prev = a.prev;
  size_t add = missing_crs(data, len, prev);
  if (add == 0) return a.buf;
  void* o = NULL;
  if (napi_create_buffer(env, len + add, &o, &out) != napi_ok) {
    napi_throw_error(env, NULL, "crlf: out of memory");
    return NULL;
  }
  unsigned char* w = o;
  const unsigned char* seg = data;
  const unsigned char* p = data;
  const unsigned char* end = data + len;
  while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
    int before = p > data ? p[-1] : prev;
    if (before != '\r') {
      memcpy(w, seg, (size_t)(p - seg));
      w += p - seg;
      *w++ = '\r';
      seg = p; // the LF goes with the next segment
    }
    p++;
  }
  memcpy(w, seg, (size_t)(end - seg));
  return out;
}
