// The plumbing of the fs functions (native/fs.cc): how a uv_fs_* call is run
// synchronously or queued for a lib/ FSRequest, how its arguments are read,
// and how its result or error reaches JavaScript (fs_request.cc, with the
// conversion of results in fs_result.cc).
//
// Each entry point takes (nativeLoop, req, ...args). `req` is the lib/
// FSRequest of a queued call; for a synchronous one it is the FSRequest
// class (a function, not an object), which only names the class of the
// error. A queued call returns an External naming the native request (for
// cancel()); its completion calls the registered `onFSDone(err, result)`
// with the FSRequest as `this`. The FSRequest is held strongly until then,
// and it in turn holds what libuv uses (buffers, the Dir), so nothing is
// copied.
#pragma once

#include <cstdlib>
#include <string>

#include "loop.h"

namespace fs {

// Entries fetched by one readdir call (uv_dir_t.nentries).
constexpr size_t kDirEntries = 32;

// A directory opened by opendir: the libuv uv_dir_t and the entry slots that
// readdir fills. Held by an External with a finalizer that closes it if the
// user never did.
struct DirHandle {
  uv_dir_t* dir;  // null once closed
  uv_dirent_t entries[kDirEntries];
};

// A queued request. `req` comes first: the uv_fs_t pointer is the FSReq.
struct FSReq {
  uv_fs_t req;
  LoopWrap* loop;
  napi_ref owner;  // the lib/ FSRequest, strong until completion
  DirHandle* dir;  // readdir / closedir
  // What an error names: the call and the files, as the caller gave them.
  const char* syscall;
  std::string path, dest;
  bool hasPath = false, hasDest = false;
  // write: the bytes, copied (the caller's ArrayBuffer may be detached while
  // the request waits in the threadpool).
  char* owned = nullptr;
  ~FSReq() { free(owned); }
};

// A path argument as a C string; short paths stay on the stack.
class PathArg {
 public:
  PathArg(napi_env env, napi_value value);
  const char* c_str() const { return str_; }

 private:
  char stack_[1024];
  std::string heap_;
  const char* str_;
};

template <size_t N>
struct Args {
  napi_value v[N];
  Args(napi_env env, napi_callback_info info) {
    size_t argc = N;
    napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
    for (size_t i = argc; i < N; i++) napi_get_undefined(env, &v[i]);
  }
  napi_value operator[](size_t i) const { return v[i]; }
};

int32_t Int(napi_env env, napi_value v);
uint32_t Uint(napi_env env, napi_value v);
double Double(napi_env env, napi_value v);
// Offsets and lengths arrive as doubles (lib/ checks they are safe integers).
inline int64_t Int64(napi_env env, napi_value v) { return static_cast<int64_t>(Double(env, v)); }
napi_value String(napi_env env, const char* s);
napi_value Undefined(napi_env env);

// The result of a successful request, before uv_fs_req_cleanup (fs_result.cc).
napi_value Result(napi_env env, uv_fs_t* req);
// fsSetup(statArray): where stat and statfs results are written (fs_result.cc).
napi_value SetupStatArray(napi_env env, napi_callback_info info);
// The completion of a queued request.
void OnDone(uv_fs_t* req);
// The open LoopWrap of a native Loop argument, or null (an error thrown).
LoopWrap* GetLoop(napi_env env, napi_value value);
// Queues `fr` (set up by Dispatch) for the FSRequest `owner`; the error
// names `path` and `dest` (either may be null). Returns the External for
// cancel(), or null with the error thrown.
napi_value Queued(napi_env env, FSReq* fr, int status, napi_value owner, napi_value path, napi_value dest);
// Throws the FSError of a failed synchronous call (`owner`: the FSRequest class).
void ThrowSync(napi_env env, int status, napi_value owner, const char* syscall, napi_value path, napi_value dest);

// Runs `start(uvLoop, req, cb)` (the uv_fs_* call) synchronously when
// argv[1] is not an object, else queues it for the FSRequest argv[1].
// `path` and `dest` name the files in an error.
template <class F>
napi_value Dispatch(napi_env env, const napi_value* argv, const char* syscall, napi_value path,
                    napi_value dest, F&& start, DirHandle* dir = nullptr) {
  LoopWrap* loop = GetLoop(env, argv[0]);
  if (loop == nullptr) return nullptr;
  napi_valuetype type;
  napi_typeof(env, argv[1], &type);
  if (type != napi_object) {
    uv_fs_t req;
    int r = start(loop->uv(), &req, nullptr);
    napi_value result = nullptr;
    if (r < 0) {
      ThrowSync(env, r, argv[1], syscall, path, dest);
    } else {
      if (req.fs_type == UV_FS_CLOSEDIR) dir->dir = nullptr;
      result = Result(env, &req);
    }
    uv_fs_req_cleanup(&req);
    return result;
  }
  FSReq* fr = new FSReq;  // uv_fs_*'s INIT sets the request's fields
  fr->loop = loop;
  fr->dir = dir;
  fr->syscall = syscall;
  int r = start(loop->uv(), &fr->req, OnDone);
  return Queued(env, fr, r, argv[1], path, dest);
}

}  // namespace fs
