#include "readpool.h"

#include <cstring>

UVKIT_CALLBACK(newReadPool);

namespace readpool {

thread_local uint64_t jsEpoch = 0;

// A new pool from lib/ (lib/readpool.ts): it marks the ArrayBuffer
// untransferable, as Node does for its Buffer pool, so that no user can move
// the memory that later reads are still copied into to another thread.
static bool NewPool(napi_env env, AddonData* addon, Pool* pool, size_t size) {
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value sizeValue, undefined, ab;
  napi_create_uint32(env, static_cast<uint32_t>(size), &sizeValue);
  napi_get_undefined(env, &undefined);
  void* data;
  size_t length;
  bool ok = napi_call_function(env, undefined, addon->Callback(kCb_newReadPool), 1, &sizeValue, &ab) == napi_ok &&
            napi_get_arraybuffer_info(env, ab, &data, &length) == napi_ok && length == size;
  JSRan();
  if (!ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
    }
  } else {
    if (pool->block != nullptr) Release(pool->block);
    pool->block = new Block{Napi::Persistent(Napi::Value(env, ab)), static_cast<char*>(data), size, 1};
    pool->used = 0;
    pool->checkedEpoch = jsEpoch;
  }
  napi_close_handle_scope(env, scope);
  return ok;
}

// Whether the pool's Block still owns its memory (Owns), looked at once
// after JavaScript has run.
static bool Attached(napi_env env, Pool* pool, bool inScope) {
  if (pool->checkedEpoch == jsEpoch) return true;
  napi_handle_scope scope = nullptr;
  if (!inScope) napi_open_handle_scope(env, &scope);
  bool owns = Owns(env, pool->block);
  if (!inScope) napi_close_handle_scope(env, scope);
  if (owns) pool->checkedEpoch = jsEpoch;
  return owns;
}

// The pool for `len` bytes with room for them, a new one if needed.
static Pool* Room(napi_env env, AddonData* addon, size_t len, size_t poolLen, bool inScope) {
  Pool* pool = &PoolFor(addon, poolLen);
  size_t size = PoolSizeFor(poolLen);
  bool fresh = pool->block == nullptr || pool->used + len > size || !Attached(env, pool, inScope);
  if (fresh && !NewPool(env, addon, pool, size)) return nullptr;
  return pool;
}

// Hands out `len` bytes at the pool's next free place.
static uint32_t Take(Pool* pool, size_t len) {
  uint32_t offset = static_cast<uint32_t>(pool->used);
  pool->used = (pool->used + len + 7) & ~static_cast<size_t>(7);
  return offset;
}

bool Copy(napi_env env, AddonData* addon, const char* data, size_t len, Block** block, uint32_t* offset,
          bool inScope) {
  Pool* pool = Room(env, addon, len, len, inScope);
  if (pool == nullptr) return false;
  memcpy(pool->block->data + pool->used, data, len);
  *block = pool->block;
  *offset = Take(pool, len);
  return true;
}

char* Reserve(napi_env env, AddonData* addon, size_t len) {
  Pool* pool = Room(env, addon, len, kMaxPooled, false);
  return pool != nullptr ? pool->block->data + pool->used : nullptr;
}

Block* Commit(AddonData* addon, size_t len, uint32_t* offset) {
  Pool* pool = &addon->largeReadPool;
  *offset = Take(pool, len);
  return pool->block;
}

}  // namespace readpool
