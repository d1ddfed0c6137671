// The server's one native addon (scripts/build-native.mjs compiles every .c file here into
// dist/src/native/asimap_native.node; src/native/addon.ts loads it). Node-API, so one build
// works in every Node from 20 on.
#ifndef ASIMAP_ADDON_H
#define ASIMAP_ADDON_H
#define NAPI_VERSION 8
#include <node_api.h>

// folder-scan.c: the readdir and the stats of a look at an MH folder
napi_value scan_list_numbers(napi_env env, napi_callback_info info);
napi_value scan_stat_numbers(napi_env env, napi_callback_info info);
napi_value scan_stat_numbers_async(napi_env env, napi_callback_info info);

// crlf.c: LF -> CRLF for the wire
napi_value crlf_missing(napi_env env, napi_callback_info info);
napi_value crlf_convert(napi_env env, napi_callback_info info);

// file-lock.c: nmh's fcntl lock, without waiting
napi_value lock_try_exclusive(napi_env env, napi_callback_info info);
napi_value lock_release(napi_env env, napi_callback_info info);

#endif
