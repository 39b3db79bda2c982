// Timers run in JavaScript (lib/timer.ts): per loop, one uv timer (the
// driver) is armed for the earliest JS timer and calls lib/ to fire every
// timer that is due. This file holds the driver, the loop clock that lib/
// reads, and a registry of weak references through which loop.handles and
// loop.close() see open timers and a dropped idle timer is still collected.
// A plain libuv timer handle (TimerWrap) remains for one job: carrying a
// closed JS timer through libuv's close phase, so its close callback runs
// where libuv runs close callbacks.
#include "handle.h"

UVKIT_CALLBACK(onTimers);

class TimerWrap : public HandleWrap<TimerWrap, uv_timer_t> {
 public:
  using HandleWrap::HandleWrap;
  static constexpr const char* kInitSyscall = "uv_timer_init";
  static int InitHandle(LoopWrap* loop, uv_timer_t* h, const Napi::CallbackInfo&) {
    return uv_timer_init(loop->uv(), h);
  }
  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("Timer", Define(env, "Timer", {}));
  }
};

UVKIT_INIT(Timer, TimerWrap::Init);

// timerClock(): the Float64Array that mirrors uv_now() (see SyncClock).
Napi::Value LoopWrap::TimerClock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckUsable(env)) return env.Undefined();
  if (clock_ == nullptr) {
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, sizeof(double));
    clock_ = static_cast<double*>(buffer.Data());
    clockArray_ = Napi::Persistent(Napi::Value(Napi::Float64Array::New(env, 1, buffer, 0)));
    SyncClock();
  }
  return clockArray_.Value();
}

// timerTrack(timer) -> slot. Slots of collected timers are reclaimed in a
// sweep whenever the registry has doubled since the last one.
Napi::Value LoopWrap::TimerTrack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckUsable(env)) return env.Undefined();
  if (freeTimerSlots_.empty() && timers_.size() >= timerSweepAt_) {
    size_t live = 0;
    for (uint32_t i = 0; i < timers_.size(); i++) {
      if (timers_[i] == nullptr) continue;
      if (TimerAlive(timers_[i])) {
        live++;
      } else {
        napi_delete_reference(env_, timers_[i]);
        timers_[i] = nullptr;
        freeTimerSlots_.push_back(i);
      }
    }
    timerSweepAt_ = std::max<size_t>(1024, 2 * live);
  }
  napi_ref ref;
  if (napi_create_reference(env_, info[0], 0, &ref) != napi_ok) return env.Undefined();
  uint32_t slot;
  if (freeTimerSlots_.empty()) {
    slot = static_cast<uint32_t>(timers_.size());
    timers_.push_back(ref);
  } else {
    slot = freeTimerSlots_.back();
    freeTimerSlots_.pop_back();
    timers_[slot] = ref;
  }
  return Napi::Number::New(env, slot);
}

// timerUntrack(slot): the timer is closing (its carrier lists it from now on).
void LoopWrap::TimerUntrack(const Napi::CallbackInfo& info) {
  uint32_t slot = info[0].As<Napi::Number>().Uint32Value();
  if (slot >= timers_.size() || timers_[slot] == nullptr) return;
  napi_delete_reference(env_, timers_[slot]);
  timers_[slot] = nullptr;
  freeTimerSlots_.push_back(slot);
}

// timerArm(due, ref): run the driver at loop time `due` (ms), or stop it when
// due < 0; `ref`: whether a referenced timer is active. While armed the
// driver holds the lib/ Loop, and through it every active timer.
void LoopWrap::TimerArm(const Napi::CallbackInfo& info) {
  if (!CheckUsable(info.Env())) return;
  double due = info[0].As<Napi::Number>().DoubleValue();
  bool ref = info[1].ToBoolean();
  if (!(due >= 0)) {  // also NaN: never a timeout of 0, re-armed forever
    if (timerDriver_ != nullptr) uv_timer_stop(timerDriver_);
    if (timerDriverPinned_) owner_.Unref();
    timerDriverPinned_ = false;
    Touch();
    return;
  }
  if (timerDriver_ == nullptr) {
    timerDriver_ = new uv_timer_t;
    uv_timer_init(loop_, timerDriver_);
    timerDriver_->data = nullptr;  // internal: loop.handles skips it
  }
  // A double beyond uint64_t does not convert (x86 gives 0 or 2**63): such
  // a timer never fires, and libuv clamps loop time + UINT64_MAX itself.
  double now = static_cast<double>(loop_->time);
  double wait = due - now;
  uint64_t timeout = 0;
  if (wait >= 18446744073709551615.0) {
    timeout = UINT64_MAX;
  } else if (wait > 0) {
    timeout = static_cast<uint64_t>(wait);
  }
  uv_timer_start(timerDriver_, OnTimerDriver, timeout, 0);
  if (ref) {
    uv_ref(reinterpret_cast<uv_handle_t*>(timerDriver_));
  } else {
    uv_unref(reinterpret_cast<uv_handle_t*>(timerDriver_));
  }
  if (!timerDriverPinned_) owner_.Ref();
  timerDriverPinned_ = true;
  Touch();
}

// lib/ fires the due timers and answers whether more are due: it fires one
// per call when attached (microtasks drain between calls), and a callback
// that throws ends its call. Calling again until none is due makes one pass
// over every due timer, as libuv 1.46 does, on every libuv: since 1.48 a
// uv timer re-armed as due from its own callback waits for the next loop
// iteration (after a throw, run() would return before the rest fire).
void LoopWrap::OnTimerDriver(uv_timer_t* h) {
  LoopWrap* self = static_cast<LoopWrap*>(h->loop->data);
  for (;;) {
    CallbackScope scope(self->env_);
    napi_value owner = self->owner_.Value();
    if (owner == nullptr) return;
    napi_value more;
    if (self->CallJS(self->addon_->Callback(kCb_onTimers), owner, 0, nullptr, nullptr, &more)) {
      bool yes = false;
      napi_get_value_bool(self->env_, more, &yes);
      if (!yes) return;
    } else if (self->jsGone_ || self->tearingDown_ || self->closed_) {
      return;
    }
  }
}

// Whether the timer of a registry entry is still there. In a scope of its
// own: a sweep may look at a million entries.
bool LoopWrap::TimerAlive(napi_ref ref) {
  napi_handle_scope scope;
  napi_open_handle_scope(env_, &scope);
  napi_value v = nullptr;
  napi_get_reference_value(env_, ref, &v);
  napi_close_handle_scope(env_, scope);
  return v != nullptr;
}

bool LoopWrap::HasOpenTimers() {
  for (napi_ref ref : timers_) {
    if (ref != nullptr && TimerAlive(ref)) return true;
  }
  return false;
}

void LoopWrap::ListTimers(Napi::Array list, uint32_t* n) {
  for (napi_ref ref : timers_) {
    napi_value v = nullptr;
    if (ref != nullptr) napi_get_reference_value(env_, ref, &v);
    if (v != nullptr) list.Set((*n)++, Napi::Value(env_, v));
  }
}

// Loop close and teardown: no timer is open (or none can run again).
void LoopWrap::DropTimers() {
  CloseDebugWatch();
  for (napi_ref ref : timers_) {
    if (ref != nullptr) napi_delete_reference(env_, ref);
  }
  timers_.clear();
  freeTimerSlots_.clear();
  if (timerDriver_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(timerDriver_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    timerDriver_ = nullptr;
  }
  if (timerDriverPinned_) owner_.Unref();
  timerDriverPinned_ = false;
}
