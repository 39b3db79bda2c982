// errno codes, error names and messages, and the constants lib/ exports.
#include <signal.h>
#include <string.h>

#include <string>

#include "constants.h"
#include "features.h"
#include "uvkit.h"

UVKIT_CALLBACK(makeError);
UVKIT_CALLBACK(makeCodedError);
UVKIT_CALLBACK(makeClosedError);

// The error factories of uvkit.h: each calls lib/errors.ts's maker with
// `recv` as `this`; null if that cannot run (the environment is ending).
static napi_value CallMaker(napi_env env, const JSCallback& maker, napi_value recv, size_t argc,
                            const napi_value* argv) {
  AddonData* addon = AddonData::Get(env);
  if (recv == nullptr) napi_get_undefined(env, &recv);
  napi_value err = nullptr;
  napi_value fn = addon->Callback(maker);
  if (fn == nullptr || napi_call_function(env, recv, fn, argc, argv, &err) != napi_ok) return nullptr;
  return err;
}

napi_value MakeUVError(napi_env env, napi_value owner, int status, const char* syscall, napi_value path,
                       napi_value dest) {
  napi_value argv[4];
  napi_create_int32(env, status, &argv[0]);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &argv[1]);
  argv[2] = path;
  argv[3] = dest;
  if (path == nullptr) napi_get_undefined(env, &argv[2]);
  if (dest == nullptr) napi_get_undefined(env, &argv[3]);
  return CallMaker(env, kCb_makeError, owner, 4, argv);
}

napi_value MakeCodedError(napi_env env, const char* code, const char* message) {
  napi_value argv[2];
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &argv[0]);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &argv[1]);
  napi_value err = CallMaker(env, kCb_makeCodedError, nullptr, 2, argv);
  if (err == nullptr) napi_create_error(env, argv[0], argv[1], &err);  // as lib/ would, without the stack
  return err;
}

napi_value MakeClosedError(napi_env env, napi_value owner) {
  return CallMaker(env, kCb_makeClosedError, owner, 0, nullptr);
}

// The _r forms: uv_err_name and uv_strerror allocate (and leak) a string
// for a code they do not know.
static Napi::Value ErrName(const Napi::CallbackInfo& info) {
  char name[80];
  return Napi::String::New(info.Env(), uv_err_name_r(info[0].As<Napi::Number>().Int32Value(), name, sizeof name));
}

static Napi::Value StrError(const Napi::CallbackInfo& info) {
  char message[160];
  return Napi::String::New(info.Env(), uv_strerror_r(info[0].As<Napi::Number>().Int32Value(), message, sizeof message));
}

Napi::Object InitErrors(Napi::Env env, Napi::Object exports) {
  // Every code the running libuv knows, which may be newer than the headers
  // uvkit was built with: libuv names a code it does not know "Unknown
  // system error N". Its codes are -1 (EPERM) down to -4095 (EOF).
  Napi::Object errno_ = Napi::Object::New(env);
  for (int code = -1; code >= -4096; code--) {
    char name[80];
    uv_err_name_r(code, name, sizeof name);
    if (strncmp(name, "Unknown system error", 20) != 0) {
      errno_.Set(std::string("UV_") + name, Napi::Number::New(env, code));
    }
  }
  exports.Set("errno", errno_);
  exports.Set("errName", Napi::Function::New<ErrName>(env, "errName"));
  exports.Set("strerror", Napi::Function::New<StrError>(env, "strerror"));

  // The constants of areas whose native files do not set their own yet.
  Napi::Object c = ConstantsOf(env, exports);
#define SET(name) c.Set(#name, Napi::Number::New(env, name));
  SET(UV_RUN_DEFAULT) SET(UV_RUN_ONCE) SET(UV_RUN_NOWAIT)
  SET(UV_READABLE) SET(UV_WRITABLE) SET(UV_DISCONNECT) SET(UV_PRIORITIZED)
  SET(UV_TCP_IPV6ONLY) SET(UV_UDP_IPV6ONLY) SET(UV_UDP_REUSEADDR) SET(UV_UDP_PARTIAL)
  c.Set("UV_TCP_REUSEPORT", Napi::Number::New(env, kTcpReusePort));
  c.Set("UV_UDP_REUSEPORT", Napi::Number::New(env, kUdpReusePort));
  SET(UV_JOIN_GROUP) SET(UV_LEAVE_GROUP)
  SET(UV_TTY_MODE_NORMAL) SET(UV_TTY_MODE_RAW) SET(UV_TTY_MODE_IO)
  SET(UV_RENAME) SET(UV_CHANGE)
  SET(UV_FS_EVENT_WATCH_ENTRY) SET(UV_FS_EVENT_STAT) SET(UV_FS_EVENT_RECURSIVE)
  SET(UV_UNKNOWN_HANDLE) SET(UV_FILE)
#define X(type, _) SET(UV_##type)
  UV_HANDLE_TYPE_MAP(X)
#undef X
#undef SET

  // Signal numbers by name, for Signal.start('SIGUSR1') and kill().
  Napi::Object signals = Napi::Object::New(env);
#define SIG(name) signals.Set(#name, Napi::Number::New(env, name));
  SIG(SIGHUP) SIG(SIGINT) SIG(SIGQUIT) SIG(SIGILL) SIG(SIGTRAP) SIG(SIGABRT) SIG(SIGBUS)
  SIG(SIGFPE) SIG(SIGKILL) SIG(SIGUSR1) SIG(SIGSEGV) SIG(SIGUSR2) SIG(SIGPIPE) SIG(SIGALRM)
  SIG(SIGTERM) SIG(SIGCHLD) SIG(SIGCONT) SIG(SIGSTOP) SIG(SIGTSTP) SIG(SIGTTIN) SIG(SIGTTOU)
  SIG(SIGURG) SIG(SIGXCPU) SIG(SIGXFSZ) SIG(SIGVTALRM) SIG(SIGPROF) SIG(SIGWINCH) SIG(SIGIO)
  SIG(SIGSYS)
#undef SIG
  exports.Set("signals", signals);
  return exports;
}

UVKIT_INIT(Errors, [](Napi::Env env, Napi::Object exports) { InitErrors(env, exports); });
