#include "readpool.h"

#include <cstring>

UVKIT_CALLBACK(newReadPool);

namespace readpool {

// A new pool from lib/ (lib/readpool.ts): it marks the ArrayBuffer
// untransferable, as Node does for its Buffer pool, so that no user can move
// the memory that later reads are still copied into to another thread.
static bool NewPool(napi_env env, AddonData* addon, Pool* pool, size_t size, napi_value* ab) {
  napi_value sizeValue, undefined;
  napi_create_uint32(env, static_cast<uint32_t>(size), &sizeValue);
  napi_get_undefined(env, &undefined);
  void* data;
  size_t length;
  if (napi_call_function(env, undefined, addon->Callback(kCb_newReadPool), 1, &sizeValue, ab) !=
          napi_ok ||
      napi_get_arraybuffer_info(env, *ab, &data, &length) != napi_ok || length != size) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
    }
    return false;
  }
  pool->buffer = Napi::Persistent(Napi::Value(env, *ab));
  pool->data = static_cast<char*>(data);
  pool->used = 0;
  return true;
}

// The pool for `len` bytes with room for them, a new one if needed; *ab its ArrayBuffer.
static Pool* Room(napi_env env, AddonData* addon, size_t len, size_t poolLen, napi_value* ab) {
  Pool* pool = &PoolFor(addon, poolLen);
  size_t size = PoolSizeFor(poolLen);
  bool fresh = pool->data == nullptr || pool->used + len > size;
  if (!fresh) {
    *ab = pool->buffer.Value();
    // A detached pool (ArrayBuffer.prototype.transfer of later engines
    // ignores the untransferable mark) no longer owns its memory.
    bool detached = false;
    napi_is_detached_arraybuffer(env, *ab, &detached);
    fresh = detached;
  }
  if (fresh && !NewPool(env, addon, pool, size, ab)) return nullptr;
  return pool;
}

// Hands out `len` bytes at the pool's next free place.
static uint32_t Take(Pool* pool, size_t len) {
  uint32_t offset = static_cast<uint32_t>(pool->used);
  pool->used = (pool->used + len + 7) & ~static_cast<size_t>(7);
  return offset;
}

bool Copy(napi_env env, AddonData* addon, const char* data, size_t len, napi_value* ab,
          uint32_t* offset) {
  Pool* pool = Room(env, addon, len, len, ab);
  if (pool == nullptr) return false;
  memcpy(pool->data + pool->used, data, len);
  *offset = Take(pool, len);
  return true;
}

char* Reserve(napi_env env, AddonData* addon, size_t len) {
  napi_value ab;
  Pool* pool = Room(env, addon, len, kMaxPooled, &ab);
  return pool != nullptr ? pool->data + pool->used : nullptr;
}

void Commit(AddonData* addon, size_t len, napi_value* ab, uint32_t* offset) {
  Pool* pool = &addon->largeReadPool;
  *ab = pool->buffer.Value();
  *offset = Take(pool, len);
}

}  // namespace readpool
