// Timers run in JavaScript (lib/timer.ts): per loop, one uv timer (the
// driver) is armed for the earliest JS timer and calls lib/ to fire every
// timer that is due. This file holds the driver, the loop clock that lib/
// reads, and a registry of weak references through which loop.handles and
// loop.close() see open timers and a dropped idle timer is still collected.
// A closed timer's close callback goes through the loop's close phase
// (close_phase.cc).
#include "loop.h"

UVKIT_CALLBACK(onTimers);

struct TimerDriver::Driver {
  uv_timer_t timer;  // data null: internal
  TimerDriver* driver;
};

// timerClock(): the Float64Array that mirrors uv_now() (see SyncClock).
Napi::Value TimerDriver::Clock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (clock_ == nullptr) {
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, sizeof(double));
    clock_ = static_cast<double*>(buffer.Data());
    clockArray_ = Napi::Persistent(Napi::Value(Napi::Float64Array::New(env, 1, buffer, 0)));
    loop_->SyncClock();
  }
  return clockArray_.Value();
}

// timerTrack(timer) -> slot. Slots of collected timers are reclaimed in a
// sweep whenever the registry has doubled since the last one.
Napi::Value TimerDriver::Track(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (freeSlots_.empty() && timers_.size() >= sweepAt_) {
    size_t live = 0;
    for (uint32_t i = 0; i < timers_.size(); i++) {
      if (timers_[i] == nullptr) continue;
      if (Alive(timers_[i])) {
        live++;
      } else {
        napi_delete_reference(env, timers_[i]);
        timers_[i] = nullptr;
        freeSlots_.push_back(i);
      }
    }
    sweepAt_ = std::max<size_t>(1024, 2 * live);
  }
  napi_ref ref;
  if (napi_create_reference(env, info[0], 0, &ref) != napi_ok) return env.Undefined();
  uint32_t slot;
  if (freeSlots_.empty()) {
    slot = static_cast<uint32_t>(timers_.size());
    timers_.push_back(ref);
  } else {
    slot = freeSlots_.back();
    freeSlots_.pop_back();
    timers_[slot] = ref;
  }
  return Napi::Number::New(env, slot);
}

// timerUntrack(slot): the timer is closing (the close phase lists it from now on).
Napi::Value TimerDriver::Untrack(const Napi::CallbackInfo& info) {
  uint32_t slot = info[0].As<Napi::Number>().Uint32Value();
  if (slot < timers_.size() && timers_[slot] != nullptr) {
    napi_delete_reference(info.Env(), timers_[slot]);
    timers_[slot] = nullptr;
    freeSlots_.push_back(slot);
  }
  return info.Env().Undefined();
}

// timerArm(due, ref): run the driver at loop time `due` (ms), or stop it when
// due < 0; `ref`: whether a referenced timer is active. While armed the
// driver holds the lib/ Loop, and through it every active timer.
Napi::Value TimerDriver::Arm(const Napi::CallbackInfo& info) {
  double due = info[0].As<Napi::Number>().DoubleValue();
  bool ref = info[1].ToBoolean();
  if (!(due >= 0)) {  // also NaN: never a timeout of 0, re-armed forever
    if (driver_ != nullptr) uv_timer_stop(&driver_->timer);
    if (pinned_) loop_->ReleaseOwner();
    pinned_ = false;
    loop_->Touch();
    return info.Env().Undefined();
  }
  if (driver_ == nullptr) {
    driver_ = new Driver();
    uv_timer_init(loop_->uv(), &driver_->timer);
    driver_->timer.data = nullptr;  // internal: loop.handles skips it
    driver_->driver = this;
  }
  // A double beyond uint64_t does not convert (x86 gives 0 or 2**63): such
  // a timer never fires, and libuv clamps loop time + UINT64_MAX itself.
  double now = static_cast<double>(loop_->uv()->time);
  double wait = due - now;
  uint64_t timeout = 0;
  if (wait >= 18446744073709551615.0) {
    timeout = UINT64_MAX;
  } else if (wait > 0) {
    timeout = static_cast<uint64_t>(wait);
  }
  uv_timer_start(&driver_->timer, OnDriver, timeout, 0);
  uv_handle_t* h = reinterpret_cast<uv_handle_t*>(&driver_->timer);
  if (ref) {
    uv_ref(h);
  } else {
    uv_unref(h);
  }
  if (!pinned_) loop_->HoldOwner();
  pinned_ = true;
  loop_->Touch();
  return info.Env().Undefined();
}

// lib/ fires the due timers and answers whether more are due: it fires one
// per call when attached (microtasks drain between calls), and a callback
// that throws ends its call. Calling again until none is due makes one pass
// over every due timer, as libuv 1.46 does, on every libuv: since 1.48 a
// uv timer re-armed as due from its own callback waits for the next loop
// iteration (after a throw, run() would return before the rest fire).
void TimerDriver::OnDriver(uv_timer_t* h) {
  LoopWrap* loop = reinterpret_cast<Driver*>(h)->driver->loop_;
  napi_env env = loop->env();
  for (;;) {
    CallbackScope scope(env);
    napi_value owner = loop->owner();
    if (owner == nullptr) return;
    napi_value more;
    if (loop->CallJS(loop->addon()->Callback(kCb_onTimers), owner, 0, nullptr, nullptr, &more)) {
      bool yes = false;
      napi_get_value_bool(env, more, &yes);
      if (!yes) return;
    } else if (!loop->CanCallJS()) {
      return;
    }
  }
}

// Whether the timer of a registry entry is still there. In a scope of its
// own: a sweep may look at a million entries.
bool TimerDriver::Alive(napi_ref ref) {
  napi_env env = loop_->env();
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value v = nullptr;
  napi_get_reference_value(env, ref, &v);
  napi_close_handle_scope(env, scope);
  return v != nullptr;
}

bool TimerDriver::HasOpenTimers() {
  for (napi_ref ref : timers_) {
    if (ref != nullptr && Alive(ref)) return true;
  }
  return false;
}

void TimerDriver::List(Napi::Array list, uint32_t* n) {
  napi_env env = loop_->env();
  for (napi_ref ref : timers_) {
    napi_value v = nullptr;
    if (ref != nullptr) napi_get_reference_value(env, ref, &v);
    if (v != nullptr) list.Set((*n)++, Napi::Value(env, v));
  }
}

// Loop close and teardown: no timer is open (or none can run again).
void TimerDriver::Close() {
  for (napi_ref ref : timers_) {
    if (ref != nullptr) napi_delete_reference(loop_->env(), ref);
  }
  timers_.clear();
  freeSlots_.clear();
  if (driver_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(&driver_->timer),
             [](uv_handle_t* h) { delete reinterpret_cast<Driver*>(h); });
    driver_ = nullptr;
  }
  if (pinned_) loop_->ReleaseOwner();
  pinned_ = false;
}
