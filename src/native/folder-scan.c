// The per-file part of a look at an MH folder, in C: list the message numbers (one readdir,
// no JavaScript string per name) and stat message files relative to the folder's descriptor.
// At 100,000 files Node's readdirSync + statSync cost ~0.6 s of a first SELECT (a path walk, a
// Stats object and a string per file); this does the same system calls and nothing else.
#include "addon.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, NULL, "folder-scan: N-API call failed: " #call); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

/** Throws an Error shaped like Node's fs errors: code "ENOENT", message "ENOENT: ..., op 'path'". */
static void throw_errno(napi_env env, int err, const char* op, const char* path) {
  char msg[4200];
  const char* name = err == ENOENT ? "ENOENT" : err == ENOTDIR ? "ENOTDIR" : err == EACCES ? "EACCES"
                   : err == EMFILE ? "EMFILE" : err == ENFILE ? "ENFILE" : err == ELOOP ? "ELOOP"
                   : err == ENAMETOOLONG ? "ENAMETOOLONG" : err == EPERM ? "EPERM" : "EIO";
  snprintf(msg, sizeof msg, "%s: %s, %s '%s'", name, strerror(err), op, path);
  napi_throw_error(env, name, msg);
}

/** A string argument as a malloc'd C string (NULL with an exception pending). */
static char* string_arg(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "folder-scan: a string was expected");
    return NULL;
  }
  char* s = malloc(len + 1);
  if (s == NULL) {
    napi_throw_error(env, NULL, "folder-scan: out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

/** The number a message file name stands for (digits, no leading zero, at most 15), else 0. */
static double message_number(const char* name) {
  double v = 0;
  int i = 0;
  for (; name[i] != '\0'; i++) {
    int c = name[i] - '0';
    if (c < 0 || c > 9 || (i == 0 && c == 0) || i >= 15) return 0;
    v = v * 10 + c;
  }
  return i == 0 ? 0 : v;
}

static int by_value(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

/**
 * listNumbers(dir, tempPrefix, ownPrefix) -> { nums: Float64Array (ascending), temps: boolean }
 * temps: a name starts with tempPrefix but not with ownPrefix (another writer's temporary).
 */
napi_value scan_list_numbers(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char* dir = string_arg(env, argv[0]);
  char* temp = dir ? string_arg(env, argv[1]) : NULL;
  char* own = temp ? string_arg(env, argv[2]) : NULL;
  napi_value result = NULL;
  DIR* d = NULL;
  double* nums = NULL;
  if (own == NULL) goto done;
  d = opendir(dir);
  if (d == NULL) {
    throw_errno(env, errno, "scandir", dir);
    goto done;
  }
  size_t cap = 1024, count = 0, tl = strlen(temp), ol = strlen(own);
  int temps = 0;
  nums = malloc(cap * sizeof *nums);
  if (nums == NULL) goto oom;
  for (;;) {
    errno = 0;
    struct dirent* e = readdir(d);
    if (e == NULL) {
      if (errno != 0) {
        throw_errno(env, errno, "scandir", dir);
        goto done;
      }
      break;
    }
    double v = message_number(e->d_name);
    if (v > 0) {
      if (count == cap) {
        double* more = realloc(nums, (cap *= 2) * sizeof *nums);
        if (more == NULL) goto oom;
        nums = more;
      }
      nums[count++] = v;
    } else if (strncmp(e->d_name, temp, tl) == 0 && strncmp(e->d_name, own, ol) != 0) {
      temps = 1;
    }
  }
  qsort(nums, count, sizeof *nums, by_value);
  {
    void* data = NULL;
    napi_value buf, arr, flag;
    // on failure: no result, but the directory and the memory are still released below
    if (napi_create_arraybuffer(env, count * sizeof(double), &data, &buf) != napi_ok) goto oom;
    if (count) memcpy(data, nums, count * sizeof(double));
    if (napi_create_typedarray(env, napi_float64_array, count, buf, 0, &arr) != napi_ok ||
        napi_get_boolean(env, temps, &flag) != napi_ok || napi_create_object(env, &result) != napi_ok ||
        napi_set_named_property(env, result, "nums", arr) != napi_ok ||
        napi_set_named_property(env, result, "temps", flag) != napi_ok) {
      result = NULL;
      goto oom;
    }
  }
  goto done;
oom:
  napi_throw_error(env, NULL, "folder-scan: out of memory");
done:
  if (d) closedir(d);
  free(nums);
  free(dir);
  free(temp);
  free(own);
  return result;
}

/**
 * Per message number three values: inode (-1: gone or not a regular file), size, and mtime in
 * milliseconds computed as Node computes Stats.mtimeMs (sec * 1e3 + nsec / 1e6), so the
 * identities agree with those taken by fs.fstatSync elsewhere. Returns 0 or an errno.
 */
static int stat_numbers(const char* dir, const double* nums, size_t n, double* out) {
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    if (errno != ENOENT) return errno;
    for (size_t i = 0; i < n; i++) out[3 * i] = -1; // the folder is gone: so is every file
    return 0;
  }
  char name[32];
  int err = 0;
  for (size_t i = 0; i < n && err == 0; i++) {
    struct stat st;
    snprintf(name, sizeof name, "%.0f", nums[i]);
    if (fstatat(dfd, name, &st, 0) != 0) {
      if (errno == ENOENT) out[3 * i] = -1; // as statSync(..., { throwIfNoEntry: false })
      else err = errno;
    } else if (!S_ISREG(st.st_mode)) {
      out[3 * i] = -1;
    } else {
      out[3 * i] = (double)st.st_ino;
      out[3 * i + 1] = (double)st.st_size;
      out[3 * i + 2] = (double)st.st_mtim.tv_sec * 1e3 + (double)st.st_mtim.tv_nsec / 1e6;
    }
  }
  close(dfd);
  return err;
}

/** Reads (dir, Float64Array nums) and makes the Float64Array of 3 values per number. */
static int stat_args(napi_env env, napi_callback_info info, char** dir, double** nums, size_t* n,
                     napi_value* out, double** outData) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, "folder-scan: statNumbers(dir, nums) expected");
    return 0;
  }
  napi_typedarray_type type;
  void* data;
  if (napi_get_typedarray_info(env, argv[1], &type, n, &data, NULL, NULL) != napi_ok || type != napi_float64_array) {
    napi_throw_type_error(env, NULL, "folder-scan: nums must be a Float64Array");
    return 0;
  }
  *nums = data;
  *dir = string_arg(env, argv[0]);
  if (*dir == NULL) return 0;
  napi_value buf;
  void* od = NULL;
  if (napi_create_arraybuffer(env, *n * 3 * sizeof(double), &od, &buf) != napi_ok ||
      napi_create_typedarray(env, napi_float64_array, *n * 3, buf, 0, out) != napi_ok) {
    free(*dir);
    napi_throw_error(env, NULL, "folder-scan: out of memory");
    return 0;
  }
  *outData = od;
  return 1;
}

/** statNumbers(dir, nums: Float64Array) -> Float64Array, on this thread. */
napi_value scan_stat_numbers(napi_env env, napi_callback_info info) {
  char* dir;
  double *nums, *outData;
  size_t n;
  napi_value out;
  if (!stat_args(env, info, &dir, &nums, &n, &out, &outData)) return NULL;
  int err = stat_numbers(dir, nums, n, outData);
  if (err) throw_errno(env, err, "stat", dir);
  free(dir);
  return err ? NULL : out;
}

typedef struct {
  char* dir;
  double* nums; // a copy: the caller's array may change while the thread pool works
  size_t n;
  double* out;  // the result array's memory, kept alive by `outRef`
  napi_ref outRef;
  napi_deferred deferred;
  napi_async_work work;
  int err;
} StatJob;

static void stat_execute(napi_env env, void* p) {
  StatJob* j = p;
  j->err = stat_numbers(j->dir, j->nums, j->n, j->out);
}

static void stat_complete(napi_env env, napi_status status, void* p) {
  StatJob* j = p;
  napi_value out, err;
  napi_get_reference_value(env, j->outRef, &out);
  if (status == napi_ok && j->err == 0) {
    napi_resolve_deferred(env, j->deferred, out);
  } else {
    throw_errno(env, j->err ? j->err : EIO, "stat", j->dir);
    napi_get_and_clear_last_exception(env, &err);
    napi_reject_deferred(env, j->deferred, err);
  }
  napi_delete_reference(env, j->outRef);
  napi_delete_async_work(env, j->work);
  free(j->dir);
  free(j->nums);
  free(j);
}

/** statNumbersAsync(dir, nums: Float64Array) -> Promise<Float64Array>, in libuv's thread pool. */
napi_value scan_stat_numbers_async(napi_env env, napi_callback_info info) {
  char* dir;
  double *nums, *outData;
  size_t n;
  napi_value out, promise, name;
  if (!stat_args(env, info, &dir, &nums, &n, &out, &outData)) return NULL;
  StatJob* j = calloc(1, sizeof *j);
  double* copy = malloc(n ? n * sizeof *copy : 1);
  if (j == NULL || copy == NULL) {
    free(j); free(copy); free(dir);
    napi_throw_error(env, NULL, "folder-scan: out of memory");
    return NULL;
  }
  if (n) memcpy(copy, nums, n * sizeof *copy);
  *j = (StatJob){ .dir = dir, .nums = copy, .n = n, .out = outData };
  if (napi_create_reference(env, out, 1, &j->outRef) != napi_ok ||
      napi_create_promise(env, &j->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "asimap.statNumbers", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, stat_execute, stat_complete, j, &j->work) != napi_ok ||
      napi_queue_async_work(env, j->work) != napi_ok) {
    // nothing was queued (a promise made meanwhile is dropped unsettled, as the call throws)
    if (j->work) napi_delete_async_work(env, j->work);
    if (j->outRef) napi_delete_reference(env, j->outRef);
    free(j->dir);
    free(j->nums);
    free(j);
    napi_throw_error(env, NULL, "folder-scan: could not queue the stats");
    return NULL;
  }
  return promise;
}
