// Small reads (TCP, Pipe, TTY, UDP) are copied into a shared pool
// ArrayBuffer and handed to JavaScript as Buffer views of it, as Node's own
// Buffer pool does: a fresh Buffer per read (malloc, backing store, V8's
// ArrayBuffer sweeping) was the largest user-space cost of a small message.
#pragma once

#include "uvkit.h"

namespace readpool {

// Reads up to this size go to the pool (Node's pool rule); larger ones get a
// Buffer of their own.
constexpr size_t kMaxPooled = 4096;
// One pool per environment. A view the user keeps pins its whole pool, so
// the pool stays modest: a kept 1-byte read holds at most 64 KiB.
constexpr size_t kPoolSize = 64 * 1024;

// Copies `len` (<= kMaxPooled) bytes to the next free, 8-byte aligned place
// of the environment's pool (a new pool when they do not fit) and sets *ab
// and *offset. Views never overlap and a place is never handed out twice.
// Returns false (nothing copied) if no pool could be made: the caller then
// copies into a fresh Buffer.
bool Copy(napi_env env, AddonData* addon, const char* data, size_t len, napi_value* ab,
          uint32_t* offset);

}  // namespace readpool
