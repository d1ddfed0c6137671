// The exports of asimap_native.node (see addon.h).
#include "addon.h"

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "listNumbers", NULL, scan_list_numbers, NULL, NULL, NULL, napi_enumerable, NULL },
    { "statNumbers", NULL, scan_stat_numbers, NULL, NULL, NULL, napi_enumerable, NULL },
    { "statNumbersAsync", NULL, scan_stat_numbers_async, NULL, NULL, NULL, napi_enumerable, NULL },
    { "missingCrs", NULL, crlf_missing, NULL, NULL, NULL, napi_enumerable, NULL },
    { "toCrlf", NULL, crlf_convert, NULL, NULL, NULL, napi_enumerable, NULL },
    { "tryLockExclusive", NULL, lock_try_exclusive, NULL, NULL, NULL, napi_enumerable, NULL },
    { "unlock", NULL, lock_release, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
