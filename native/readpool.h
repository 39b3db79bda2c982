// Reads of up to 64 KiB (TCP, Pipe, TTY, UDP) are copied into shared pool
// ArrayBuffers and handed to JavaScript as Buffer views of them, as Node's
// own Buffer pool does: a fresh Buffer per read (malloc, backing store, the
// Buffer prototype set on a new Uint8Array, V8's ArrayBuffer sweeping) was
// the largest user-space cost of a small message, and ~1.9 us of a 16 KiB one.
#pragma once

#include "uvkit.h"

namespace readpool {

// Reads up to this size go to the small pool (Node's pool rule), larger
// ones below kMaxPooled to the large pool, and the rest get a Buffer of
// their own. Each environment has one pool of each size. A view the user
// keeps pins its whole pool: a kept read of up to 4 KiB holds at most
// 64 KiB (as a kept read of Node's `net` does), a larger one at most 256 KiB;
// a stream whose last read was larger reads straight into the large pool
// (Reserve/Commit), whatever the size of the read turns out to be.
constexpr size_t kMaxSmall = 4096;
constexpr size_t kSmallPoolSize = 64 * 1024;
constexpr size_t kMaxPooled = 64 * 1024 - 1;
constexpr size_t kLargePoolSize = 256 * 1024;

// The pool a read of `len` bytes is copied into, and that pool's size.
inline Pool& PoolFor(AddonData* addon, size_t len) {
  return len <= kMaxSmall ? addon->smallReadPool : addon->largeReadPool;
}
inline size_t PoolSizeFor(size_t len) { return len <= kMaxSmall ? kSmallPoolSize : kLargePoolSize; }

// None of these needs a handle scope: a read into a pool that was seen
// attached since JavaScript last ran (jsEpoch, uvkit.h) touches no
// JavaScript value, so a batched read makes no N-API call. Only a new pool
// (made by lib/) and that check open a scope of their own, the check only
// if the caller has none (`inScope`: a datagram, whose callback is entered
// at once).

// Copies `len` (<= kMaxPooled) bytes to the next free, 8-byte aligned place
// of the environment's pool for that size (a new pool when they do not fit)
// and sets *block and *offset. Views never overlap and a place is never
// handed out twice. Returns false (nothing copied) if no pool could be made:
// the caller then copies into a fresh Buffer.
bool Copy(napi_env env, AddonData* addon, const char* data, size_t len, Block** block, uint32_t* offset,
          bool inScope = false);

// For a read made straight into the large pool (a stream whose reads are
// larger than kMaxSmall; no copy): Reserve returns the next free place with
// room for `len` (<= kLargePoolSize) bytes, a new pool if needed (null if
// none could be made); Commit hands out the `len` bytes a read put there,
// as Copy does, before anything else uses the pool.
char* Reserve(napi_env env, AddonData* addon, size_t len);
Block* Commit(AddonData* addon, size_t len, uint32_t* offset);

// A holder more (a read batch) or less; the last one lets the ArrayBuffer go.
inline void Hold(Block* block) { block->holders++; }
inline void Release(Block* block) {
  if (--block->holders == 0) delete block;
}

// The Block's ArrayBuffer (in the caller's handle scope).
inline napi_value Value(Block* block) { return block->buffer.Value(); }

// Whether the Block still owns its memory (in the caller's handle scope): a
// detached ArrayBuffer (ArrayBuffer.prototype.transfer of later engines
// ignores the untransferable mark) does not.
inline bool Owns(napi_env env, Block* block) {
  bool detached = true;
  return napi_is_detached_arraybuffer(env, Value(block), &detached) == napi_ok && !detached;
}

}  // namespace readpool
