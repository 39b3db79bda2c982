// The request plumbing of the fs functions (see fs_request.h): arguments,
// the errors of failed calls, and the completion of queued requests.
#include "fs_request.h"

UVKIT_CALLBACK(onFSDone);

namespace fs {

PathArg::PathArg(napi_env env, napi_value value) {
  size_t len = 0;
  napi_get_value_string_utf8(env, value, stack_, sizeof(stack_), &len);
  // A truncated copy ends within 4 bytes of the buffer's end (N-API never
  // splits a UTF-8 sequence); anything shorter is the whole string.
  if (len + 4 < sizeof(stack_)) {
    str_ = stack_;
    return;
  }
  napi_get_value_string_utf8(env, value, nullptr, 0, &len);
  heap_.resize(len + 1);
  napi_get_value_string_utf8(env, value, &heap_[0], len + 1, &len);
  str_ = heap_.c_str();
}

int32_t Int(napi_env env, napi_value v) {
  int32_t n = 0;
  napi_get_value_int32(env, v, &n);
  return n;
}

uint32_t Uint(napi_env env, napi_value v) {
  uint32_t n = 0;
  napi_get_value_uint32(env, v, &n);
  return n;
}

double Double(napi_env env, napi_value v) {
  double n = 0;
  napi_get_value_double(env, v, &n);
  return n;
}

napi_value String(napi_env env, const char* s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value Undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

void ThrowSync(napi_env env, int status, napi_value owner, const char* syscall, napi_value path, napi_value dest) {
  napi_throw(env, MakeUVError(env, owner, status, syscall, path, dest));
}

// `value` (a string, or null) copied into `out`; false for null.
static bool CopyString(napi_env env, napi_value value, std::string* out) {
  if (value == nullptr) return false;
  size_t len = 0;
  napi_get_value_string_utf8(env, value, nullptr, 0, &len);
  out->resize(len);
  napi_get_value_string_utf8(env, value, &(*out)[0], len + 1, &len);
  return true;
}

napi_value Queued(napi_env env, FSReq* fr, int status, napi_value owner, napi_value path, napi_value dest) {
  if (status < 0) {
    uv_fs_req_cleanup(&fr->req);
    const char* syscall = fr->syscall;
    delete fr;
    napi_throw(env, MakeUVError(env, owner, status, syscall, path, dest));
    return nullptr;
  }
  fr->hasPath = CopyString(env, path, &fr->path);
  fr->hasDest = CopyString(env, dest, &fr->dest);
  napi_create_reference(env, owner, 1, &fr->owner);
  napi_value ext;
  napi_create_external(env, fr, nullptr, nullptr, &ext);
  fr->loop->Touch();  // an attached loop now has work: keep Node alive
  return ext;
}

LoopWrap* GetLoop(napi_env env, napi_value value) {
  void* p = nullptr;
  napi_unwrap(env, value, &p);
  LoopWrap* loop = static_cast<LoopWrap*>(p);
  if (loop == nullptr) {
    // lib/ passes a Loop's native object; this guards misuse.
    napi_throw_type_error(env, nullptr, "loop must be a Loop");
    return nullptr;
  }
  return loop->CheckUsable(env) ? loop : nullptr;
}

// A request that completed while its loop is being torn down (no JavaScript
// will see it): release what it opened.
static void Discard(uv_fs_t* req) {
  if (req->result < 0) return;
  uv_fs_t sync;
  switch (req->fs_type) {
    case UV_FS_OPEN:
    case UV_FS_MKSTEMP:
      uv_fs_close(nullptr, &sync, static_cast<uv_file>(req->result), nullptr);
      break;
    case UV_FS_OPENDIR:
      uv_fs_closedir(nullptr, &sync, static_cast<uv_dir_t*>(req->ptr), nullptr);
      break;
    default:
      return;
  }
  uv_fs_req_cleanup(&sync);
}

// The FSError of a failed queued request.
static napi_value RequestError(napi_env env, FSReq* fr, napi_value owner, int status) {
  napi_value path = fr->hasPath ? String(env, fr->path.c_str()) : nullptr;
  napi_value dest = fr->hasDest ? String(env, fr->dest.c_str()) : nullptr;
  return MakeUVError(env, owner, status, fr->syscall, path, dest);
}

void OnDone(uv_fs_t* req) {
  FSReq* fr = reinterpret_cast<FSReq*>(req);
  LoopWrap* loop = fr->loop;
  napi_env env = loop->env();
  CallbackScope scope(env);
  napi_value owner;
  napi_get_reference_value(env, fr->owner, &owner);
  napi_delete_reference(env, fr->owner);
  ssize_t status = req->result;
  if (req->fs_type == UV_FS_CLOSEDIR) {
    if (status == UV_ECANCELED) {
      req->ptr = nullptr;  // never closed: keep the uv_dir_t (cleanup would free it)
    } else {
      fr->dir->dir = nullptr;  // closed and freed by libuv
    }
  }
  // onFSDone(err, result): err null on success, result undefined on error.
  napi_value argv[2];
  bool deliver = !loop->tearingDown();
  if (!deliver) {
    Discard(req);
  } else if (status < 0) {
    argv[0] = RequestError(env, fr, owner, static_cast<int>(status));
    argv[1] = Undefined(env);
  } else {
    napi_get_null(env, &argv[0]);
    argv[1] = Result(env, req);
  }
  uv_fs_req_cleanup(req);
  delete fr;
  if (deliver && owner != nullptr) loop->CallJS(loop->addon()->Callback(kCb_onFSDone), owner, 2, argv, loop->asyncContext());
}

}  // namespace fs
