// Shared declarations of the native layer: per-environment state and the
// table of JavaScript entry points that lib/ registers at load time.
#pragma once

#include <napi.h>
#include <uv.h>

#include <string>
#include <unordered_set>
#include <vector>

static_assert(UV_VERSION_HEX >= 0x012E00, "uvkit needs libuv >= 1.46");

class LoopWrap;
class HandleBase;

// Every libuv event enters JavaScript through one of these functions, called
// with the handle's owner (its lib/ object) as `this`. They are set once per
// environment by lib/ through `setCallbacks`, so no closure is made per event
// and user callbacks stay on the JavaScript side (no rooted cycles).
#define UVKIT_CALLBACKS(X) \
  X(makeError)       \
  X(onLoopException) \
  X(onClose)         \
  X(onTimers)        \
  X(onWatcher)       \
  X(onAsync)         \
  X(onSignal)        \
  X(onWorkDone)      \
  X(makeFSError)     \
  X(onFSDone)        \
  X(onUDPRecv)       \
  X(onUDPSend)       \
  X(onPoll)          \
  X(onDNS)           \
  X(onRead)          \
  X(onWrite)         \
  X(newReadPool)     \
  X(onConnection)    \
  X(onConnect)       \
  X(onFSEvent)       \
  X(onFSPoll)        \
  X(onProcessExit)   \
  X(onShutdown)      \
  X(onHandshake)     \
  X(onServername)    \
  X(makeTLSError)

enum Callback {
#define X(name) kCb_##name,
  UVKIT_CALLBACKS(X)
#undef X
  kCallbackCount
};

// Per-environment (main thread or worker_thread) state.
struct AddonData {
  Napi::FunctionReference callbacks[kCallbackCount];
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
  // The pool that small reads are copied into (native/readpool.h).
  Napi::Reference<Napi::Value> readPool;
  char* readPoolData = nullptr;
  size_t readPoolUsed = 0;

  static AddonData* Get(napi_env env) {
    return Napi::Env(env).GetInstanceData<AddonData>();
  }
  napi_value Callback(enum Callback cb) { return callbacks[cb].Value(); }
};

// A plain Error with a `code`, for misuse that is not a libuv failure.
inline Napi::Error CodedError(Napi::Env env, const char* code, const char* message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Value().Set("code", Napi::String::New(env, code));
  return e;
}

// A UVError of the right class, built by lib/ from (errno, syscall), with
// `owner` (a handle or loop object, or undefined) as `this`.
napi_value MakeUVError(napi_env env, napi_value owner, int status, const char* syscall);

// Throws a plain UVError (no owner) and returns undefined, for functions
// that are not methods of a handle or loop.
inline Napi::Value ThrowUV(Napi::Env env, int status, const char* syscall) {
  napi_throw(env, MakeUVError(env, nullptr, status, syscall));
  return env.Undefined();
}

// The async context of callbacks entered with napi_make_callback (attached
// mode). Its async resource is a plain object of its own, held here: since
// Node 25 napi_async_init holds the resource strongly until
// napi_async_destroy, so a handle passed as its own resource could never be
// collected; before 25 it is held weakly, so someone must hold it.
class AsyncContext {
 public:
  void Init(napi_env env, const char* name) {
    napi_value resource, label;
    napi_create_object(env, &resource);
    napi_create_reference(env, resource, 1, &resource_);
    napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &label);
    napi_async_init(env, resource, label, &context_);
  }
  void Destroy(napi_env env) {
    if (context_ != nullptr) napi_async_destroy(env, context_);
    if (resource_ != nullptr) napi_delete_reference(env, resource_);
    Forget();
  }
  // The environment is gone with everything in it.
  void Forget() {
    context_ = nullptr;
    resource_ = nullptr;
  }
  napi_async_context get() const { return context_; }

 private:
  napi_async_context context_ = nullptr;
  napi_ref resource_ = nullptr;
};

// Opens a handle scope for the duration of one libuv callback.
class CallbackScope {
 public:
  explicit CallbackScope(napi_env env) : env_(env) { napi_open_handle_scope(env, &scope_); }
  ~CallbackScope() { napi_close_handle_scope(env_, scope_); }

 private:
  napi_env env_;
  napi_handle_scope scope_;
};

// Registration functions, one per native file.
Napi::Object InitErrors(Napi::Env env, Napi::Object exports);
void InitLoop(Napi::Env env, Napi::Object exports);
void InitTimer(Napi::Env env, Napi::Object exports);
void InitLoopWatchers(Napi::Env env, Napi::Object exports);
void InitAsync(Napi::Env env, Napi::Object exports);
void InitSignal(Napi::Env env, Napi::Object exports);
void InitUtil(Napi::Env env, Napi::Object exports);
void InitFSEvent(Napi::Env env, Napi::Object exports);
void InitFSPoll(Napi::Env env, Napi::Object exports);
void InitProcess(Napi::Env env, Napi::Object exports);
void InitTCP(Napi::Env env, Napi::Object exports);
void InitFeatures(Napi::Env env, Napi::Object exports);
void InitPipe(Napi::Env env, Napi::Object exports);
void InitTTY(Napi::Env env, Napi::Object exports);
void InitWork(Napi::Env env, Napi::Object exports);
void InitFS(Napi::Env env, Napi::Object exports);
void InitUDP(Napi::Env env, Napi::Object exports);
void InitPoll(Napi::Env env, Napi::Object exports);
void InitDNS(Napi::Env env, Napi::Object exports);
void InitMisc(Napi::Env env, Napi::Object exports);
void InitTLSContext(Napi::Env env, Napi::Object exports);
void InitTLS(Napi::Env env, Napi::Object exports);
