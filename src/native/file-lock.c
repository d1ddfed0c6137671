// nmh's data lock as one system call: fcntl(F_SETLK) on a whole file, without waiting. Through
// os-lock each lock and unlock was a round trip through libuv's thread pool, which with the
// open, stats, read and write around it made a locked .mh_sequences update cost more than the
// APPEND it belongs to; F_SETLK never blocks, so it can run on the event loop.
#include "addon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int set_lock(napi_env env, napi_callback_info info, short type, int* fd_out) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "file-lock: a file descriptor was expected");
    return -2;
  }
  *fd_out = fd;
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = type;
  fl.l_whence = SEEK_SET; // l_start = l_len = 0: the whole file, however it grows
  int r;
  do r = fcntl(fd, F_SETLK, &fl);
  while (r == -1 && errno == EINTR);
  return r == 0 ? 0 : errno;
}

static napi_value boolean(napi_env env, int v) {
  napi_value out;
  napi_get_boolean(env, v, &out);
  return out;
}

static void throw_lock_error(napi_env env, int err, const char* op) {
  char msg[200];
  snprintf(msg, sizeof msg, "%s: %s", op, strerror(err));
  napi_throw_error(env, err == EBADF ? "EBADF" : err == ENOLCK ? "ENOLCK" : err == EDEADLK ? "EDEADLK" : "EIO", msg);
}

/** tryLockExclusive(fd) -> true when the write lock is ours, false when another process holds a lock. */
napi_value lock_try_exclusive(napi_env env, napi_callback_info info) {
  int fd;
  int err = set_lock(env, info, F_WRLCK, &fd);
  if (err == -2) return NULL;
  if (err == 0) return boolean(env, 1);
  if (err == EACCES || err == EAGAIN) return boolean(env, 0);
  throw_lock_error(env, err, "fcntl F_SETLK F_WRLCK");
  return NULL;
}

/** unlock(fd): lets go of our lock on the file. */
napi_value lock_release(napi_env env, napi_callback_info info) {
  int fd;
  int err = set_lock(env, info, F_UNLCK, &fd);
  if (err == -2) return NULL;
  if (err != 0) throw_lock_error(env, err, "fcntl F_SETLK F_UNLCK");
  return NULL;
}
