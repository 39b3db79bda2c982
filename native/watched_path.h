// The path an FSEvent or FSPoll watches, shared by both.
#pragma once

#include <string>

#include "uvkit.h"

// `getpath` is uv_fs_event_getpath or uv_fs_poll_getpath; null when the
// handle is closed or not started.
template <typename H>
inline Napi::Value WatchedPath(Napi::Env env, H* h, int (*getpath)(H*, char*, size_t*)) {
  if (h == nullptr) return env.Null();
  std::string buf(4096, '\0');
  size_t size = buf.size();
  int r = getpath(h, &buf[0], &size);
  if (r == UV_ENOBUFS) {
    buf.resize(size);
    r = getpath(h, &buf[0], &size);
  }
  if (r != 0) return env.Null();  // UV_EINVAL: not started
  return Napi::String::New(env, buf.data(), size);
}
