// The Loop wrap: a private uv_loop_t, the single path by which libuv
// callbacks enter JavaScript, and attached mode (driven from Node's loop).
#pragma once

#include <algorithm>

#include "loop_rings.h"
#include "uvkit.h"

class LoopWrap : public Napi::ObjectWrap<LoopWrap> {
 public:
  explicit LoopWrap(const Napi::CallbackInfo& info);
  ~LoopWrap() override;

  uv_loop_t* uv() { return loop_; }
  napi_env env() const { return env_; }
  AddonData* addon() const { return addon_; }
  bool attached() const { return attachment_ != nullptr; }
  // True if usable, else throws ERR_LOOP_CLOSED.
  bool CheckUsable(Napi::Env env);
  // The async context for callbacks of handles made before attach().
  napi_async_context asyncContext() const;

  // Calls fn with `this` = recv. An exception goes to the loop's excepthook,
  // or stops the loop and is rethrown by run() (blocking mode), or becomes
  // an uncaught exception (attached mode). Returns false if fn threw or
  // JavaScript cannot run any more; `result`, if given, gets fn's result.
  bool CallJS(napi_value fn, napi_value recv, size_t argc, const napi_value* argv,
              napi_async_context ctx, napi_value* result = nullptr);
  // A handle changed state: an attached loop re-arms its Node-side watchers.
  void Touch() {
    if (attachment_ != nullptr && !inAttachedRun_) SyncAttached();
  }
  // Closes every handle without calling JavaScript and closes the loop; used
  // on garbage collection and when the environment (thread) ends.
  void Teardown();
  bool tearingDown() const { return tearingDown_; }
  // UVKIT_DEBUG_RUN (misc.cc): an internal timer that reports while run() blocks.
  void DebugArm(const Napi::CallbackInfo& info);
  void DebugDisarm(const Napi::CallbackInfo& info);
  int workPending() const { return workPending_; }  // queueWork jobs not yet done

 private:
  friend void InitLoop(Napi::Env env, Napi::Object exports);
  struct Attachment;

  // uv_loop_configure with the options of `new Loop(opts)`: a libuv status.
  int Configure(int blockSignal, bool metricsIdleTime, bool ioUringSqpoll);
  // One empty turn, so that libuv's own watchers are in epoll (see loop.cc).
  void Settle();
  Napi::Value Run(const Napi::CallbackInfo& info);
  void Stop(const Napi::CallbackInfo& info);
  Napi::Value Now(const Napi::CallbackInfo& info);
  void UpdateTime(const Napi::CallbackInfo& info);
  Napi::Value Fileno(const Napi::CallbackInfo& info);
  Napi::Value GetTimeout(const Napi::CallbackInfo& info);
  Napi::Value Alive(const Napi::CallbackInfo& info);
  Napi::Value Running(const Napi::CallbackInfo& info);
  Napi::Value Handles(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  void Attach(const Napi::CallbackInfo& info);
  void Detach(const Napi::CallbackInfo& info);
  Napi::Value WorkMailbox(const Napi::CallbackInfo& info);  // work.cc
  void WorkRef(const Napi::CallbackInfo& info);              // work.cc
  static void OnWorkMail(uv_async_t* h);                     // work.cc
  struct TerminationWatch;
  void WatchTermination();
  void CloseTerminationWatch();
  void CloseWorkMailbox();                                   // work.cc
  // JavaScript timers (timer.cc, lib/timer.ts).
  Napi::Value TimerClock(const Napi::CallbackInfo& info);
  Napi::Value TimerTrack(const Napi::CallbackInfo& info);
  void TimerUntrack(const Napi::CallbackInfo& info);
  void TimerArm(const Napi::CallbackInfo& info);
  static void OnTimerDriver(uv_timer_t* h);
  bool TimerAlive(napi_ref ref);
  bool HasOpenTimers();
  void ListTimers(Napi::Array list, uint32_t* n);
  void DropTimers();
  struct DebugWatch;  // misc.cc
  static void OnDebugWatch(uv_timer_t* h);
  void CloseDebugWatch();
  // lib/ reads the loop time from clock_: it is written whenever the time
  // may have moved before JavaScript runs (before every callback, after
  // uv_run and uv_update_time).
  void SyncClock() {
    if (clock_ != nullptr) *clock_ = static_cast<double>(loop_->time);
  }

  void HandleException(napi_value err);
  void RunAttached();
  void SyncAttached();
  void DetachNow();
  static void OnNodePoll(uv_poll_t* h, int status, int events);
  static void OnNodeTimer(uv_timer_t* h);
  static void OnNodeIdle(uv_idle_t* h);

  napi_env env_;
  AddonData* addon_;
  uv_loop_t* loop_;  // heap: leaked on purpose if teardown finds a request stuck for good
  LoopRings rings_;  // its io_uring fds, closed if it is left so
  Napi::ObjectReference owner_;    // the lib/ Loop, weak
  // The error run() rethrows, as element 0 of an array: a thrown value may
  // be a primitive (a string, undefined, false), which N-API 8 cannot hold
  // in a reference of its own.
  Napi::ObjectReference pendingError_;
  bool running_ = false;
  bool closed_ = false;
  bool tearingDown_ = false;
  bool inAttachedRun_ = false;
  bool jsGone_ = false;  // a call found JavaScript unable to run (thread ending)
  Attachment* attachment_ = nullptr;
  // queueWork results arrive here from the pool's threads (work.cc).
  uv_async_t* workAsync_ = nullptr;
  uint64_t workMailbox_ = 0;
  int workPending_ = 0;
  TerminationWatch* terminationWatch_ = nullptr;
  uv_timer_t* timerDriver_ = nullptr;  // internal; made on first use
  bool timerDriverPinned_ = false;
  std::vector<napi_ref> timers_;  // weak, one per open JS timer; null = free
  std::vector<uint32_t> freeTimerSlots_;
  size_t timerSweepAt_ = 1024;
  Napi::Reference<Napi::Value> clockArray_;
  double* clock_ = nullptr;
  DebugWatch* debugWatch_ = nullptr;
};
