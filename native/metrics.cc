// What a loop tells about itself (lib/metrics.ts): uv_metrics_info,
// uv_print_*_handles, the requests in flight, and the UVKIT_DEBUG_RUN watch
// that tells what a long blocking run() waits for. Plain functions under
// `binding.misc` (registered by InitMisc); a loop argument is the native
// Loop object.
#include <stdio.h>
#include <stdlib.h>

#include <string>

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
  return Napi::String::New(env, PrintHandles(loop->uv(), Truthy(info[1])));
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

void AddMetrics(Napi::Env env, Napi::Object misc) {
#define FN(name, impl) misc.Set(name, Napi::Function::New<impl>(env, name));
  FN("loopMetrics", LoopMetrics)
  FN("printHandles", PrintHandlesJS)
  FN("loopRequests", LoopRequests)
  FN("debugArm", DebugArmJS)
  FN("debugDisarm", DebugDisarmJS)
#undef FN
}
