// The rest of libuv (issue 14): loop metrics, uv_print_*_handles,
// uv_socketpair and uv_pipe, thread affinity, and the UVKIT_DEBUG_RUN watch
// (lib/loop.ts) that tells what a long blocking run() waits for. Plain
// functions under `binding.misc`; a loop argument is the native Loop object.
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "features.h"
#include "loop.h"


// The open LoopWrap of argument `i`, or nullptr (ERR_LOOP_CLOSED thrown).
static LoopWrap* LoopArg(const Napi::CallbackInfo& info, size_t i = 0) {
  LoopWrap* loop = LoopWrap::Unwrap(info[i].As<Napi::Object>());
  if (loop == nullptr || !loop->CheckUsable(info.Env())) return nullptr;
  return loop;
}

// ---- loop metrics ---------------------------------------------------------

// loopMetrics(loop) -> [idle time ns, loop count, events, events waiting]
static Napi::Value LoopMetrics(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoopWrap* loop = LoopArg(info);
  if (loop == nullptr) return env.Undefined();
  uv_metrics_t m{};
  int r = uv_metrics_info(loop->uv(), &m);
  if (r != 0) return ThrowUV(env, r, "uv_metrics_info");
  Napi::Array out = Napi::Array::New(env, 4);
  out.Set(0u, Napi::Number::New(env, static_cast<double>(uv_metrics_idle_time(loop->uv()))));
  out.Set(1u, Napi::Number::New(env, static_cast<double>(m.loop_count)));
  out.Set(2u, Napi::Number::New(env, static_cast<double>(m.events)));
  out.Set(3u, Napi::Number::New(env, static_cast<double>(m.events_waiting)));
  return out;
}

// What uv_print_all_handles / uv_print_active_handles write, as a string.
static std::string PrintHandles(uv_loop_t* loop, bool all) {
  char* text = nullptr;
  size_t size = 0;
  FILE* f = open_memstream(&text, &size);
  if (f == nullptr) return std::string();
  if (all) {
    uv_print_all_handles(loop, f);
  } else {
    uv_print_active_handles(loop, f);
  }
  fclose(f);
  std::string out(text != nullptr ? text : "", size);
  free(text);
  return out;
}

// printHandles(loop, all)
static Napi::Value PrintHandlesJS(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoopWrap* loop = LoopArg(info);
  if (loop == nullptr) return env.Undefined();
  return Napi::String::New(env, PrintHandles(loop->uv(), info[1].ToBoolean()));
}

// loopRequests(loop) -> [libuv requests in flight (fs, dns), queueWork jobs not done]
static Napi::Value LoopRequests(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoopWrap* loop = LoopArg(info);
  if (loop == nullptr) return env.Undefined();
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, static_cast<double>(loop->uv()->active_reqs.count)));
  out.Set(1u, Napi::Number::New(env, loop->workPending()));
  return out;
}

// ---- UVKIT_DEBUG_RUN -----------------------------------------------------

// An unreferenced uv timer of the loop itself, armed by lib/ for the length
// of a blocking run(). It fires on the loop thread, between callbacks, so
// reading the loop is safe; it calls the lib/ function given when armed
// (which prints to stderr). Its `data` is null: loop.handles skips it, and
// it stops itself while the report is made, so uv_print_active_handles
// does not list it either.
struct LoopWrap::DebugWatch {
  uv_timer_t timer;
  napi_env env;
  napi_ref fn = nullptr;  // strong while armed
  uint64_t every = 0;
};

void LoopWrap::CloseDebugWatch() {
  DebugWatch* w = debugWatch_;
  if (w == nullptr) return;
  debugWatch_ = nullptr;
  if (w->fn != nullptr) napi_delete_reference(env_, w->fn);
  w->fn = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&w->timer),
           [](uv_handle_t* h) { delete reinterpret_cast<DebugWatch*>(h); });
}

void LoopWrap::DebugArm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckUsable(env)) return;
  double after = info[1].As<Napi::Number>().DoubleValue();
  double every = info[2].As<Napi::Number>().DoubleValue();
  DebugWatch* w = debugWatch_;
  if (w == nullptr) {
    w = debugWatch_ = new DebugWatch();
    uv_timer_init(loop_, &w->timer);
    w->timer.data = nullptr;
    w->env = env_;
    uv_unref(reinterpret_cast<uv_handle_t*>(&w->timer));
  }
  if (w->fn != nullptr) napi_delete_reference(env_, w->fn);
  napi_create_reference(env_, info[3], 1, &w->fn);
  w->every = static_cast<uint64_t>(every);
  uv_update_time(loop_);
  uv_timer_start(&w->timer, OnDebugWatch, static_cast<uint64_t>(after), w->every);
}

void LoopWrap::DebugDisarm(const Napi::CallbackInfo& info) {
  DebugWatch* w = debugWatch_;
  if (w == nullptr) return;
  uv_timer_stop(&w->timer);
  if (w->fn != nullptr) napi_delete_reference(env_, w->fn);
  w->fn = nullptr;
}

void LoopWrap::OnDebugWatch(uv_timer_t* h) {
  DebugWatch* w = reinterpret_cast<DebugWatch*>(h);
  LoopWrap* self = static_cast<LoopWrap*>(h->loop->data);
  if (w->fn == nullptr || self->tearingDown_ || self->jsGone_) return;
  uv_timer_stop(h);  // out of uv_print_active_handles' list while it reports
  {
    CallbackScope scope(w->env);
    napi_value fn, global, result;
    napi_get_reference_value(w->env, w->fn, &fn);
    napi_get_global(w->env, &global);
    if (fn != nullptr && napi_call_function(w->env, global, fn, 0, nullptr, &result) != napi_ok) {
      bool pending = false;
      napi_is_exception_pending(w->env, &pending);
      if (pending) napi_get_and_clear_last_exception(w->env, &result);  // a report never fails the run
    }
  }
  if (self->debugWatch_ == w && w->fn != nullptr) uv_timer_start(h, OnDebugWatch, w->every, w->every);
}

// debugArm(loop, afterMs, everyMs, fn) / debugDisarm(loop)
static void DebugArmJS(const Napi::CallbackInfo& info) {
  LoopWrap* loop = LoopWrap::Unwrap(info[0].As<Napi::Object>());
  if (loop != nullptr) loop->DebugArm(info);
}

static void DebugDisarmJS(const Napi::CallbackInfo& info) {
  LoopWrap* loop = LoopWrap::Unwrap(info[0].As<Napi::Object>());
  if (loop != nullptr) loop->DebugDisarm(info);
}

// ---- fds -----------------------------------------------------------------

static Napi::Value FdPair(Napi::Env env, int a, int b) {
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, a));
  out.Set(1u, Napi::Number::New(env, b));
  return out;
}

// socketpair(dgram, nonblock) -> [fd, fd], both close-on-exec.
static Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int type = info[0].ToBoolean() ? SOCK_DGRAM : SOCK_STREAM;
  int flags = info[1].ToBoolean() ? UV_NONBLOCK_PIPE : 0;
  uv_os_sock_t fds[2];
  int r = uv_socketpair(type, 0, fds, flags, flags);
  if (r != 0) return ThrowUV(env, r, "uv_socketpair");
  return FdPair(env, fds[0], fds[1]);
}

// pipe(nonblock) -> [read fd, write fd], both close-on-exec.
static Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int flags = info[0].ToBoolean() ? UV_NONBLOCK_PIPE : 0;
  uv_file fds[2];
  int r = uv_pipe(fds, flags, flags);
  if (r != 0) return ThrowUV(env, r, "uv_pipe");
  return FdPair(env, fds[0], fds[1]);
}

// ---- threads -------------------------------------------------------------

static Napi::Value CpumaskSize(const Napi::CallbackInfo& info) {
  int n = uv_cpumask_size();
  if (n < 0) return ThrowUV(info.Env(), n, "uv_cpumask_size");
  return Napi::Number::New(info.Env(), n);
}

static Napi::Array MaskToJS(Napi::Env env, const std::vector<char>& mask) {
  Napi::Array out = Napi::Array::New(env, mask.size());
  for (uint32_t i = 0; i < mask.size(); i++) out.Set(i, Napi::Boolean::New(env, mask[i] != 0));
  return out;
}

// threadSetAffinity(Uint8Array of cpumaskSize() bytes) -> the previous mask.
static Napi::Value ThreadSetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int n = uv_cpumask_size();
  if (n < 0) return ThrowUV(env, n, "uv_cpumask_size");
  Napi::Uint8Array given = info[0].As<Napi::Uint8Array>();
  std::vector<char> mask(n, 0), old(n, 0);
  for (size_t i = 0; i < given.ElementLength() && i < mask.size(); i++) mask[i] = given[i] != 0;
  uv_thread_t self = uv_thread_self();
  int r = uv_thread_setaffinity(&self, mask.data(), old.data(), mask.size());
  if (r != 0) return ThrowUV(env, r, "uv_thread_setaffinity");
  return MaskToJS(env, old);
}

static Napi::Value ThreadGetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int n = uv_cpumask_size();
  if (n < 0) return ThrowUV(env, n, "uv_cpumask_size");
  std::vector<char> mask(n, 0);
  uv_thread_t self = uv_thread_self();
  int r = uv_thread_getaffinity(&self, mask.data(), mask.size());
  if (r != 0) return ThrowUV(env, r, "uv_thread_getaffinity");
  return MaskToJS(env, mask);
}

static Napi::Value ThreadGetCPU(const Napi::CallbackInfo& info) {
  int cpu = uv_thread_getcpu();
  if (cpu < 0) return ThrowUV(info.Env(), cpu, "uv_thread_getcpu");
  return Napi::Number::New(info.Env(), cpu);
}

// ---- time, memory, interfaces -------------------------------------------

static Napi::Value GetAvailableMemory(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(uv_get_available_memory()));
}

// clockGettime(realtime) -> [sec, nsec]
static Napi::Value ClockGettime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uv_timespec64_t ts;
  int r = uv_clock_gettime(info[0].ToBoolean() ? UV_CLOCK_REALTIME : UV_CLOCK_MONOTONIC, &ts);
  if (r != 0) return ThrowUV(env, r, "uv_clock_gettime");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, static_cast<double>(ts.tv_sec)));
  out.Set(1u, Napi::Number::New(env, ts.tv_nsec));
  return out;
}

// gettimeofday() -> [sec, usec]
static Napi::Value GetTimeOfDay(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uv_timeval64_t tv;
  int r = uv_gettimeofday(&tv);
  if (r != 0) return ThrowUV(env, r, "uv_gettimeofday");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, static_cast<double>(tv.tv_sec)));
  out.Set(1u, Napi::Number::New(env, tv.tv_usec));
  return out;
}

// sleep(ms): lib/ checks 0 <= ms <= 2**32 - 1.
static void Sleep(const Napi::CallbackInfo& info) {
  uv_sleep(info[0].As<Napi::Number>().Uint32Value());
}

// ifIndexToName(index, iid) -> string (uv_if_indextoname / uv_if_indextoiid)
static Napi::Value IfIndexTo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  unsigned int index = info[0].As<Napi::Number>().Uint32Value();
  bool iid = info[1].ToBoolean();
  char name[UV_IF_NAMESIZE];
  size_t size = sizeof name;
  int r = iid ? uv_if_indextoiid(index, name, &size) : uv_if_indextoname(index, name, &size);
  if (r != 0) return ThrowUV(env, r, iid ? "uv_if_indextoiid" : "uv_if_indextoname");
  return Napi::String::New(env, name, size);
}

void InitMisc(Napi::Env env, Napi::Object exports) {
  Napi::Object misc = Napi::Object::New(env);
#define FN(name, impl) misc.Set(name, Napi::Function::New<impl>(env, name));
  FN("loopMetrics", LoopMetrics)
  FN("printHandles", PrintHandlesJS)
  FN("loopRequests", LoopRequests)
  FN("debugArm", DebugArmJS)
  FN("debugDisarm", DebugDisarmJS)
  FN("socketpair", SocketPair)
  FN("pipe", Pipe)
  FN("cpumaskSize", CpumaskSize)
  FN("threadSetAffinity", ThreadSetAffinity)
  FN("threadGetAffinity", ThreadGetAffinity)
  FN("threadGetCPU", ThreadGetCPU)
  FN("getAvailableMemory", GetAvailableMemory)
  FN("clockGettime", ClockGettime)
  FN("gettimeofday", GetTimeOfDay)
  FN("sleep", Sleep)
  FN("ifIndexTo", IfIndexTo)
#undef FN
  exports.Set("misc", misc);
}

UVKIT_INIT(Misc, InitMisc);
