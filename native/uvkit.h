// Shared declarations of the native layer: per-environment state and the
// table of JavaScript entry points that lib/ registers at load time.
#pragma once

#include <napi.h>
#include <uv.h>

#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

static_assert(UV_VERSION_HEX >= 0x012E00, "uvkit needs libuv >= 1.46");

class LoopWrap;
class HandleBase;

// A native file registers itself, with one line at file scope each:
//   UVKIT_INIT(Signal, SignalWrap::Init);  // its exports, set at module load
//   UVKIT_CALLBACK(onSignal);             // a JavaScript entry point it calls
// Every libuv event enters JavaScript through such an entry point, called
// with the handle's owner (its lib/ object) as `this`. lib/ hands them over
// by name once per environment (binding.setCallbacks, from the lib/ file of
// the handle type), so no closure is made per event and user callbacks stay
// on the JavaScript side (no rooted cycles). UVKIT_CALLBACK(name) declares
// kCb_name for HandleBase::Call and AddonData::Callback.
class JSCallback {
 public:
  explicit JSCallback(const char* name);
  size_t index() const { return index_; }
  // Every declared entry point, by index (complete once the module is loaded).
  static std::vector<const char*>& Names();

 private:
  size_t index_;
};
#define UVKIT_CALLBACK(name) static const JSCallback kCb_##name(#name)

using InitFn = void (*)(Napi::Env env, Napi::Object exports);
struct InitRegistration {
  InitRegistration(const char* name, InitFn fn);
  // Every registered Init (addon.cc runs them, in name order).
  static std::vector<std::pair<const char*, InitFn>>& All();
};
#define UVKIT_INIT(name, fn) static const InitRegistration uvkitInit_##name(#name, fn)

namespace readpool {
// A pool's ArrayBuffer and its holders: the environment while it is the
// current pool of its size, and each loop's read batch with reads in it
// (native/readpool.h).
struct Block {
  Napi::Reference<Napi::Value> buffer;
  char* data;
  size_t size;
  uint32_t holders;
};
// A pool that reads are copied into.
struct Pool {
  Block* block = nullptr;  // null: none yet
  size_t used = 0;
  uint64_t checkedEpoch = 0;  // jsEpoch when block was last seen attached
};
// Moves whenever JavaScript may have run on this thread (any JavaScript may
// detach a pool): at every uv_run, every return from a callback and the end
// of every CallbackScope. A read checks that its pool is still attached
// only when this has moved since the last check.
extern thread_local uint64_t jsEpoch;
inline void JSRan() { jsEpoch++; }
}  // namespace readpool

// Per-environment (main thread or worker_thread) state.
struct AddonData {
  std::vector<Napi::FunctionReference> callbacks;  // by JSCallback index
  std::unordered_set<LoopWrap*> loops;  // live loops, torn down at env exit
  bool ending = false;                  // the environment's cleanup has begun
  // A queueWork pool thread: the job it runs (its loop's mailbox and the
  // request id; mailbox 0 = none), failed by the cleanup hook if the thread
  // ends first (native/work.cc), and why it ended when JavaScript knew.
  uint64_t workMailbox = 0;
  double workRequest = 0;
  std::string workExitReason;
  Napi::FunctionReference noop;  // a JS function that does nothing
  // Every native handle class, to find the HandleBase of any handle object.
  struct HandleClass {
    Napi::FunctionReference constructor;
    HandleBase* (*unwrap)(Napi::Object);
  };
  std::vector<HandleClass> handleClasses;
  // fs: the Float64Array that stat results are written into (lib/fs.ts).
  Napi::Reference<Napi::Value> fsStatArray;
  double* fsStatValues = nullptr;
  // The pools that reads are copied into (native/readpool.h).
  readpool::Pool smallReadPool, largeReadPool;
  // The sender of the datagram being delivered (native/udp.cc), read by
  // lib/udp.ts from the same memory.
  Napi::Reference<Napi::Value> udpSenderBuffer;
  uint32_t* udpSender = nullptr;
  // Every live handle wrap by id (native/handle.h), id 0 none; freed ids
  // are reused.
  std::vector<HandleBase*> handleById{nullptr};
  std::vector<uint32_t> freeHandleIds;
  ~AddonData();  // handle.cc: wraps that outlive it forget their ids

  static AddonData* Get(napi_env env) {
    return Napi::Env(env).GetInstanceData<AddonData>();
  }
  napi_value Callback(const JSCallback& cb) { return callbacks[cb.index()].Value(); }
};

// Every error object is made by lib/errors.ts (native/errors.cc calls it):
//
// A UVError of the right class for libuv status `status` of `syscall`, with
// `owner` (a handle, loop or request object; a class; or null) as `this`:
// its class's static `errorClass` names the error class. `path` and `dest`
// (strings, or null) are the files an fs error names.
napi_value MakeUVError(napi_env env, napi_value owner, int status, const char* syscall,
                       napi_value path = nullptr, napi_value dest = nullptr);
// An Error with a Node-style `code` (ERR_LOOP_CLOSED, ERR_LOOP_RUNNING…),
// for misuse that is not a libuv failure.
napi_value MakeCodedError(napi_env env, const char* code, const char* message);
// The HandleClosedError of a closing or closed handle (`owner`: its lib/ object).
napi_value MakeClosedError(napi_env env, napi_value owner);

inline Napi::Error CodedError(Napi::Env env, const char* code, const char* message) {
  return Napi::Error(env, MakeCodedError(env, code, message));
}

// Throws a plain UVError (no owner) and returns undefined, for functions
// that are not methods of a handle or loop.
inline Napi::Value ThrowUV(Napi::Env env, int status, const char* syscall) {
  napi_throw(env, MakeUVError(env, nullptr, status, syscall));
  return env.Undefined();
}

// Reading arguments. node-addon-api answers a failed call that makes a value
// (ToBoolean, Get) with an empty value that has no napi_env, and any later
// call on that value aborts the process (Error::New cannot ask a null env
// for its last error). Calls that may run JavaScript fail for every caller
// once a worker is being terminated, so such chains must not exist: these
// give false / undefined instead, and the terminating JavaScript never sees
// them.
inline bool Truthy(const Napi::Value& v) {
  napi_value b;
  bool result = false;
  if (napi_coerce_to_bool(v.Env(), v, &b) == napi_ok) napi_get_value_bool(v.Env(), b, &result);
  return result;
}

inline Napi::Value Element(const Napi::Object& array, uint32_t i) {
  napi_value v;
  if (napi_get_element(array.Env(), array, i, &v) != napi_ok) napi_get_undefined(array.Env(), &v);
  return Napi::Value(array.Env(), v);
}

// The async context of callbacks entered with napi_make_callback (attached
// mode). Its async resource is a plain object of its own, held here: since
// Node 25 napi_async_init holds the resource strongly until
// napi_async_destroy, so a handle passed as its own resource could never be
// collected; before 25 it is held weakly, so someone must hold it. One
// pointer, allocated by Init: every handle has one, few are made attached.
class AsyncContext {
 public:
  AsyncContext() = default;
  AsyncContext(const AsyncContext&) = delete;
  AsyncContext& operator=(const AsyncContext&) = delete;
  ~AsyncContext() { Forget(); }
  void Init(napi_env env, const char* name) {
    napi_value resource, label;
    parts_ = new Parts();
    napi_create_object(env, &resource);
    napi_create_reference(env, resource, 1, &parts_->resource);
    napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &label);
    napi_async_init(env, resource, label, &parts_->context);
  }
  void Destroy(napi_env env) {
    if (parts_ == nullptr) return;
    if (parts_->context != nullptr) napi_async_destroy(env, parts_->context);
    if (parts_->resource != nullptr) napi_delete_reference(env, parts_->resource);
    Forget();
  }
  // The environment is gone with everything in it.
  void Forget() {
    delete parts_;
    parts_ = nullptr;
  }
  napi_async_context get() const { return parts_ != nullptr ? parts_->context : nullptr; }

 private:
  struct Parts {
    napi_async_context context = nullptr;
    napi_ref resource = nullptr;
  };
  Parts* parts_ = nullptr;
};

// Opens a handle scope for the duration of one libuv callback; JavaScript
// may have run by its end (readpool::jsEpoch).
class CallbackScope {
 public:
  explicit CallbackScope(napi_env env) : env_(env) { napi_open_handle_scope(env, &scope_); }
  ~CallbackScope() {
    napi_close_handle_scope(env_, scope_);
    readpool::JSRan();
  }

 private:
  napi_env env_;
  napi_handle_scope scope_;
};
