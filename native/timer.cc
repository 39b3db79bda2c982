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
    // Raw calls: both fail while a worker is terminated (see Truthy).
    void* data;
    napi_value buffer, array;
    if (napi_create_arraybuffer(env, sizeof(double), &data, &buffer) != napi_ok ||
        napi_create_typedarray(env, napi_float64_array, 1, buffer, 0, &array) != napi_ok) {
      return env.Undefined();
    }
    clock_ = static_cast<double*>(data);
    clockArray_ = Napi::Persistent(Napi::Value(env, array));
    loop_->SyncClock();
  }
  return clockArray_.Value();
}

// timerTracker() -> track(timer), called for every new timer. A plain
// function bound to this driver: an instance method would look the wrap up
// on each of a million calls. lib/ keeps it with the native loop, which
// keeps this driver.
Napi::Value TimerDriver::Tracker(const Napi::CallbackInfo& info) {
  napi_value fn;
  napi_create_function(info.Env(), "track", NAPI_AUTO_LENGTH, OnTrack, this, &fn);
  return Napi::Value(info.Env(), fn);
}

napi_value TimerDriver::OnTrack(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value timer;
  void* data;
  napi_get_cb_info(env, info, &argc, &timer, nullptr, &data);
  TimerDriver* self = static_cast<TimerDriver*>(data);
  if (argc < 1 || !self->loop_->CheckUsable(Napi::Env(env))) return nullptr;
  self->Track(timer);
  return nullptr;
}

// Entries of collected timers are dropped in a sweep whenever the registry
// has doubled since the last one. A closed timer's entry stays until it is
// collected, and is skipped (the close phase lists a closing timer).
void TimerDriver::Track(napi_value timer) {
  napi_env env = loop_->env();
  if (timers_.size() >= sweepAt_) {
    size_t live = 0;
    for (size_t i = 0; i < timers_.size();) {
      napi_handle_scope scope;  // one per batch: a sweep may look at a million entries
      napi_open_handle_scope(env, &scope);
      for (size_t end = std::min(timers_.size(), i + 1024); i < end; i++) {
        napi_ref ref = timers_[i];
        napi_value v = nullptr;
        napi_get_reference_value(env, ref, &v);
        if (v != nullptr) {
          timers_[live++] = ref;
        } else {
          napi_delete_reference(env, ref);
        }
      }
      napi_close_handle_scope(env, scope);
    }
    timers_.resize(live);
    sweepAt_ = std::max<size_t>(1024, 2 * live);
  }
  napi_ref ref;
  if (napi_create_reference(env, timer, 0, &ref) == napi_ok) timers_.push_back(ref);
}

// timerArm(due, ref): run the driver at loop time `due` (ms), or stop it when
// due < 0; `ref`: whether a referenced timer is active. While armed the
// driver holds the lib/ Loop, and through it every active timer.
Napi::Value TimerDriver::Arm(const Napi::CallbackInfo& info) {
  double due = info[0].As<Napi::Number>().DoubleValue();
  bool ref = Truthy(info[1]);
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

// The timer of a registry entry if it is still there and open, else null.
napi_value TimerDriver::Open(napi_ref ref, napi_value closedKey) {
  napi_env env = loop_->env();
  napi_value v = nullptr;
  napi_get_reference_value(env, ref, &v);
  if (v == nullptr) return nullptr;
  napi_value closed;
  bool yes = false;
  if (napi_get_property(env, v, closedKey, &closed) == napi_ok) napi_get_value_bool(env, closed, &yes);
  return yes ? nullptr : v;
}

bool TimerDriver::HasOpenTimers() {
  napi_env env = loop_->env();
  napi_value closedKey = Napi::String::New(env, "_closed");
  for (napi_ref ref : timers_) {
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    bool open = Open(ref, closedKey) != nullptr;
    napi_close_handle_scope(env, scope);
    if (open) return true;
  }
  return false;
}

void TimerDriver::List(Napi::Array list, uint32_t* n) {
  napi_env env = loop_->env();
  napi_value closedKey = Napi::String::New(env, "_closed");
  for (napi_ref ref : timers_) {
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value v = Open(ref, closedKey);
    if (v != nullptr) napi_set_element(env, list, (*n)++, v);
    napi_close_handle_scope(env, scope);
  }
}

// Loop close and teardown: no timer is open (or none can run again).
void TimerDriver::Close() {
  for (napi_ref ref : timers_) {
    if (ref != nullptr) napi_delete_reference(loop_->env(), ref);
  }
  timers_.clear();
  if (driver_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(&driver_->timer),
             [](uv_handle_t* h) { delete reinterpret_cast<Driver*>(h); });
    driver_ = nullptr;
  }
  if (pinned_) loop_->ReleaseOwner();
  pinned_ = false;
}
