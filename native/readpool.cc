#include "readpool.h"

#include <cstring>

UVKIT_CALLBACK(newReadPool);

namespace readpool {

// A new pool from lib/ (lib/readpool.ts): it marks the ArrayBuffer
// untransferable, as Node does for its Buffer pool, so that no user can move
// the memory that later reads are still copied into to another thread.
static bool NewPool(napi_env env, AddonData* addon, napi_value* ab) {
  napi_value size, undefined;
  napi_create_uint32(env, kPoolSize, &size);
  napi_get_undefined(env, &undefined);
  void* data;
  size_t length;
  if (napi_call_function(env, undefined, addon->Callback(kCb_newReadPool), 1, &size, ab) !=
          napi_ok ||
      napi_get_arraybuffer_info(env, *ab, &data, &length) != napi_ok || length != kPoolSize) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
    }
    return false;
  }
  addon->readPool = Napi::Persistent(Napi::Value(env, *ab));
  addon->readPoolData = static_cast<char*>(data);
  addon->readPoolUsed = 0;
  return true;
}

bool Copy(napi_env env, AddonData* addon, const char* data, size_t len, napi_value* ab,
          uint32_t* offset) {
  bool fresh = addon->readPoolData == nullptr || addon->readPoolUsed + len > kPoolSize;
  if (!fresh) {
    *ab = addon->readPool.Value();
    // A detached pool (ArrayBuffer.prototype.transfer of later engines
    // ignores the untransferable mark) no longer owns its memory.
    bool detached = false;
    napi_is_detached_arraybuffer(env, *ab, &detached);
    fresh = detached;
  }
  if (fresh && !NewPool(env, addon, ab)) return false;
  *offset = static_cast<uint32_t>(addon->readPoolUsed);
  memcpy(addon->readPoolData + addon->readPoolUsed, data, len);
  addon->readPoolUsed = (addon->readPoolUsed + len + 7) & ~static_cast<size_t>(7);
  return true;
}

}  // namespace readpool
