#include "datapath.h"

#include <cstring>
#include <memory>

#include "readpool.h"

UVKIT_CALLBACK(onUnclaimed);

namespace datapath {

static thread_local std::unique_ptr<char[]> slab;

uv_buf_t Slab() {
  if (!slab) slab.reset(new char[kSlabSize]);
  return uv_buf_init(slab.get(), kSlabSize);
}

bool CopyOut(napi_env env, AddonData* addon, const char* data, size_t len, napi_value* out,
             uint32_t* offset) {
  readpool::Block* block;
  if (len <= readpool::kMaxPooled && readpool::Copy(env, addon, data, len, &block, offset, true)) {
    *out = readpool::Value(block);
    return true;
  }
  void* copy;
  napi_create_buffer_copy(env, len, data, &copy, out);
  return false;
}

bool Bufs::Gather(napi_env env, napi_value data) {
  napi_typedarray_type type;
  size_t length;
  void* base;
  // One Uint8Array, the common case, costs one call.
  if (napi_get_typedarray_info(env, data, &type, &length, &base, nullptr, nullptr) == napi_ok &&
      type == napi_uint8_array) {
    list[0] = uv_buf_init(static_cast<char*>(base), static_cast<unsigned>(length));
    total = length;
    n = 1;
    return true;
  }
  bool isArray = false;
  napi_is_array(env, data, &isArray);
  uint32_t count = 0;
  if (isArray) napi_get_array_length(env, data, &count);
  if (count == 0) {
    napi_throw_type_error(env, nullptr, "data must be a Uint8Array or an array of them");
    return false;
  }
  if (count > sizeof small / sizeof small[0]) {
    big.resize(count);
    list = big.data();
  }
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    napi_get_element(env, data, i, &item);
    if (napi_get_typedarray_info(env, item, &type, &length, &base, nullptr, nullptr) != napi_ok ||
        type != napi_uint8_array) {
      napi_throw_type_error(env, nullptr, "data must be a Uint8Array or an array of them");
      return false;
    }
    list[i] = uv_buf_init(static_cast<char*>(base), static_cast<unsigned>(length));
    total += length;
  }
  n = count;
  return true;
}

void Bufs::Advance(size_t bytes) {
  total -= bytes;
  while (n > 0 && bytes > 0 && bytes >= list[0].len) {
    bytes -= list[0].len;
    list++;
    n--;
  }
  if (bytes > 0) {
    list[0].base += bytes;
    list[0].len -= bytes;
  }
}

Request* Request::New(const Bufs& bufs, bool hasCallback) {
  Request* r = static_cast<Request*>(malloc(sizeof(Request) + bufs.total));
  r->hasCallback = hasCallback;
  r->carrier = nullptr;
  r->size = bufs.total;
  char* p = r->bytes();
  for (unsigned i = 0; i < bufs.n; i++) {
    if (bufs.list[i].len == 0) continue;
    memcpy(p, bufs.list[i].base, bufs.list[i].len);
    p += bufs.list[i].len;
  }
  return r;
}

static void FreeHandle(uv_handle_t* h) { free(h); }

void CloseCarrier(uv_pipe_t* carrier) { uv_close(reinterpret_cast<uv_handle_t*>(carrier), FreeHandle); }

void Request::Free() {
  if (carrier != nullptr) CloseCarrier(carrier);
  free(this);
}

void Request::Done(HandleBase* self, int status, const JSCallback& cb, const char* syscall) {
  bool unclaimed = !hasCallback && status != 0 && status != UV_ECANCELED;
  if (self != nullptr && (hasCallback || unclaimed)) {
    napi_env env = self->env();
    CallbackScope scope(env);
    napi_value err;
    if (status != 0) {
      err = self->Error(status, syscall);
    } else {
      napi_get_null(env, &err);
    }
    self->Call(unclaimed ? kCb_onUnclaimed : cb, 1, &err);
  }
  Free();
  if (self != nullptr) self->RequestDone();
}

}  // namespace datapath
