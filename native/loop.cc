// The Loop wrap's core (see loop.h for its parts): the uv_loop_t, run(),
// the path by which callbacks enter JavaScript, close() and teardown.
#include "loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <mutex>

#include "features.h"
#include "handle.h"

UVKIT_CALLBACK(onLoopException);

// How long teardown lets requests in flight finish (see Teardown).
static const uint64_t kTeardownWaitMs = 2000;

// info[0]: the owner; info[1..3]: blockSignal (0 = none), metricsIdleTime,
// ioUringSqpoll, checked by lib/ (ioUringSqpoll against `features`).
LoopWrap::LoopWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<LoopWrap>(info), env_(info.Env()), addon_(AddonData::Get(info.Env())) {
  loop_ = new uv_loop_t;
  rings_.BeforeInit();
  int r = uv_loop_init(loop_);
  if (r != 0) {
    delete loop_;
    closed_ = true;
    napi_throw(env_, MakeUVError(env_, info[0], r, "uv_loop_init"));
    return;
  }
  rings_.AfterInit(loop_);
  r = Configure(info[1].As<Napi::Number>().Int32Value(), Truthy(info[2]), Truthy(info[3]));
  if (r != 0) {
    uv_loop_close(loop_);
    delete loop_;
    closed_ = true;
    napi_throw(env_, MakeUVError(env_, info[0], r, "uv_loop_configure"));
    return;
  }
  Settle();
  loop_->data = this;
  owner_ = Napi::Weak(info[0].As<Napi::Object>());
  addon_->loops.insert(this);
}

int LoopWrap::Configure(int blockSignal, bool metricsIdleTime, bool ioUringSqpoll) {
  int r = 0;
  if (blockSignal != 0) r = uv_loop_configure(loop_, UV_LOOP_BLOCK_SIGNAL, blockSignal);
  if (r == 0 && metricsIdleTime) r = uv_loop_configure(loop_, UV_METRICS_IDLE_TIME);
  if (r == 0 && ioUringSqpoll) {
    r = uv_loop_configure(loop_, static_cast<uv_loop_option>(kLoopUseIoUringSqpoll));
  }
  return r;
}

// Every uv_run of the loop: JavaScript has run since the last one.
int LoopWrap::RunUV(uv_run_mode mode) {
  readpool::JSRan();
  return uv_run(loop_, mode);
}

// uv_loop_init starts the loop's own I/O watchers (the async eventfd behind
// uv_async_t and the signal pipe), which wait in libuv's watcher queue until
// uv_run hands them to epoll, and while that queue is not empty
// uv_backend_timeout answers 0 ("run me to update the backend"). One turn
// with nothing in it but a private prepare handle empties the queue, so
// getTimeout() of a new loop says what the user's handles say (-1 with none
// due) from the first call.
void LoopWrap::Settle() {
  uv_prepare_t* turn = new uv_prepare_t;
  uv_prepare_init(loop_, turn);
  turn->data = nullptr;  // internal: loop.handles skips it
  uv_prepare_start(turn, [](uv_prepare_t* h) { uv_prepare_stop(h); });
  RunUV(UV_RUN_NOWAIT);
  uv_close(reinterpret_cast<uv_handle_t*>(turn),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_prepare_t*>(h); });
  RunUV(UV_RUN_NOWAIT);  // the close callback
}

LoopWrap::~LoopWrap() {
  if (!closed_) {
    Teardown();
  }
  if (addon_ != nullptr) addon_->loops.erase(this);
}

napi_async_context LoopWrap::asyncContext() const {
  return attachment_ != nullptr ? attachment_->context() : nullptr;
}

bool LoopWrap::CheckUsable(Napi::Env env) {
  if (closed_) {
    CodedError(env, "ERR_LOOP_CLOSED", "loop is closed").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

bool LoopWrap::CallJS(napi_value fn, napi_value recv, size_t argc, const napi_value* argv,
                      napi_async_context ctx, napi_value* result) {
  if (tearingDown_ || jsGone_) return false;
  if (pollBatch_.HasPollReads()) pollBatch_.DeliverReads();  // earlier events first
  SyncClock();
  napi_value ignored;
  if (result == nullptr) result = &ignored;
  napi_status status;
  if (attachment_ != nullptr) {
    status = napi_make_callback(env_, ctx != nullptr ? ctx : attachment_->context(), recv, fn, argc,
                                argv, result);
  } else {
    status = napi_call_function(env_, recv, fn, argc, argv, result);
  }
  readpool::JSRan();
  if (status == napi_ok) return true;
  bool pending = false;
  napi_is_exception_pending(env_, &pending);
  if (!pending) {
    // JavaScript cannot run any more (the thread is terminating): stop.
    jsGone_ = true;
    uv_stop(loop_);
    return false;
  }
  napi_value err;
  napi_get_and_clear_last_exception(env_, &err);
  HandleException(err);
  return false;
}

void LoopWrap::HandleException(napi_value err) {
  napi_value owner = owner_.Value();
  if (owner != nullptr) {
    // lib/ calls loop.excepthook(err, loop) if set and says whether it did.
    // Attached, the hook runs in a callback scope of its own: the failed
    // callback's scope skipped draining microtasks and nextTicks, this one
    // drains them.
    napi_value argv[1] = {err};
    napi_value fn = addon_->Callback(kCb_onLoopException);
    napi_value handled;
    napi_status status =
        attachment_ != nullptr
            ? napi_make_callback(env_, attachment_->context(), owner, fn, 1, argv, &handled)
            : napi_call_function(env_, owner, fn, 1, argv, &handled);
    readpool::JSRan();
    if (status == napi_ok) {
      bool yes = false;
      napi_get_value_bool(env_, handled, &yes);
      if (yes) return;
    } else {
      bool pending = false;
      napi_is_exception_pending(env_, &pending);
      if (pending) napi_get_and_clear_last_exception(env_, &err);  // the hook's own error
    }
  }
  if (attachment_ != nullptr && !addon_->ending && !jsGone_) {
    napi_fatal_exception(env_, err);  // process 'uncaughtException'
    return;
  }
  // Blocking mode: stop; run() rethrows the first error once uv_run returns.
  if (pendingError_.IsEmpty()) {
    napi_value holder;
    napi_ref ref;
    if (napi_create_array_with_length(env_, 1, &holder) == napi_ok &&
        napi_set_element(env_, holder, 0, err) == napi_ok &&
        napi_create_reference(env_, holder, 1, &ref) == napi_ok) {
      pendingError_ = Napi::ObjectReference(env_, ref);
    }
  }
  uv_stop(loop_);
}

Napi::Value LoopWrap::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckUsable(env)) return env.Undefined();
  if (running_) {
    CodedError(env, "ERR_LOOP_RUNNING", "loop is already running").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (attachment_ != nullptr) {
    CodedError(env, "ERR_LOOP_ATTACHED", "loop is attached to Node's event loop; detach() first")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  uv_run_mode mode = static_cast<uv_run_mode>(info[0].As<Napi::Number>().Int32Value());
  if (terminationWatch_ == nullptr) terminationWatch_ = TerminationWatch::Start(this);
  running_ = true;
  int more = RunUV(mode);
  running_ = false;
  SyncClock();
  if (!pendingError_.IsEmpty()) {
    napi_value err;
    napi_get_element(env, pendingError_.Value(), 0, &err);
    pendingError_.Reset();
    napi_throw(env, err);
    return env.Undefined();
  }
  return Napi::Boolean::New(env, more != 0);
}

void LoopWrap::Stop(const Napi::CallbackInfo& info) {
  if (CheckUsable(info.Env())) uv_stop(loop_);
}

Napi::Value LoopWrap::Now(const Napi::CallbackInfo& info) {
  if (!CheckUsable(info.Env())) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(uv_now(loop_)));
}

void LoopWrap::UpdateTime(const Napi::CallbackInfo& info) {
  if (!CheckUsable(info.Env())) return;
  uv_update_time(loop_);
  SyncClock();
}

Napi::Value LoopWrap::Fileno(const Napi::CallbackInfo& info) {
  if (!CheckUsable(info.Env())) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), uv_backend_fd(loop_));
}

Napi::Value LoopWrap::GetTimeout(const Napi::CallbackInfo& info) {
  if (!CheckUsable(info.Env())) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), uv_backend_timeout(loop_));
}

Napi::Value LoopWrap::Alive(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !closed_ && uv_loop_alive(loop_) != 0);
}

Napi::Value LoopWrap::Running(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), running_);
}

Napi::Value LoopWrap::Handles(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array list = Napi::Array::New(env);
  if (closed_) return list;
  struct Walk {
    Napi::Array list;
    uint32_t n;
  } walk{list, 0};
  uv_walk(
      loop_,
      [](uv_handle_t* h, void* arg) {
        Walk* w = static_cast<Walk*>(arg);
        HandleBase* wrap = static_cast<HandleBase*>(h->data);
        if (wrap == nullptr) return;  // dropped by its owner, closing
        Napi::Value owner = wrap->owner();
        if (!owner.IsEmpty()) w->list.Set(w->n++, owner);
      },
      &walk);
  closePhase_.List(list, &walk.n);
  timers_.List(list, &walk.n);
  return list;
}

void LoopWrap::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckUsable(env)) return;
  if (running_) {
    CodedError(env, "ERR_LOOP_RUNNING", "cannot close a running loop").ThrowAsJavaScriptException();
    return;
  }
  // Requests in flight (fs, dns, work) and open timers make it EBUSY, as in
  // uv_loop_close.
  if (work_.pending() > 0 || loop_->active_reqs.count > 0 || timers_.HasOpenTimers()) {
    napi_throw(env, MakeUVError(env, Value(), UV_EBUSY, "uv_loop_close"));
    return;
  }
  // Handles that are still open make it EBUSY (not the parts' own, whose
  // `data` is null). Ones already closing, or whose owner was collected
  // (its finalizer may not have run yet), are closed and finished first.
  bool busy = false;
  uv_walk(
      loop_,
      [](uv_handle_t* h, void* arg) {
        HandleBase* wrap = static_cast<HandleBase*>(h->data);
        if (wrap == nullptr) return;
        if (wrap->owner().IsEmpty()) {
          wrap->Abandon(false);
        } else if (!uv_is_closing(h)) {
          *static_cast<bool*>(arg) = true;
        }
      },
      &busy);
  if (busy) {
    napi_throw(env, MakeUVError(env, Value(), UV_EBUSY, "uv_loop_close"));
    return;
  }
  CloseParts();
  running_ = true;  // close callbacks run here: no run() from inside them
  RunUV(UV_RUN_DEFAULT);
  running_ = false;
  int r = uv_loop_close(loop_);
  if (r != 0) {
    napi_throw(env, MakeUVError(env, Value(), r, "uv_loop_close"));
    return;
  }
  delete loop_;
  closed_ = true;
}

// The parts, for close() and teardown: after this the loop has no handle of
// its own that is not closing, and is detached from Node's loop.
void LoopWrap::CloseParts() {
  if (attachment_ != nullptr) attachment_->Close();
  attachment_ = nullptr;
  if (terminationWatch_ != nullptr) terminationWatch_->Close();
  terminationWatch_ = nullptr;
  pollBatch_.Close();
  work_.Close();
  timers_.Close();
  closePhase_.Close();
  CloseDebugWatch();
}

// A request is still in the threadpool (an open of a FIFO that no one
// writes to): the uv_loop_t stays allocated for good, never run again, so
// the request's completion (uv_async_send on the loop's wq_async, from the
// pool thread) lands in memory that is still valid. Its fds are not needed
// any more and are closed, except the one that completion writes to: the
// async eventfd is swapped for one process-wide sink eventfd (a write to a
// closed fd would make libuv abort; one to a reused number would write into
// someone else's file). What stays per stuck loop is memory, not fds.
// libuv has no public call for any of this: the fds are read and replaced
// in this loop's own uv_loop_t (never Node's).
static void ReleaseStuckLoopFds(uv_loop_t* loop, LoopRings* rings) {
  static int sink = -1;
  static std::mutex mu;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (sink < 0) {
      // Lives as long as the process, as does this library (PinLibrary).
      sink = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    }
  }
  if (sink < 0) return;  // keep everything as it is
  rings->Close();
  if (loop->async_io_watcher.fd >= 0 && loop->async_wfd == -1) {
    int old = loop->async_io_watcher.fd;
    loop->async_io_watcher.fd = sink;
    close(old);
  }
  for (int* fd : {&loop->backend_fd, &loop->signal_pipefd[0], &loop->signal_pipefd[1]}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

void LoopWrap::Teardown() {
  if (closed_) return;
  tearingDown_ = true;
  CloseParts();
  uv_walk(
      loop_,
      [](uv_handle_t* h, void* ending) {
        HandleBase* wrap = static_cast<HandleBase*>(h->data);
        if (wrap != nullptr) wrap->Abandon(*static_cast<bool*>(ending));  // no JavaScript
      },
      &addon_->ending);
  // Let close callbacks and cancelled or in-flight requests finish, for a
  // bounded time: a request stuck for good in the threadpool (opening a FIFO
  // no one writes to) must not hang the thread's or the process's exit.
  uv_timer_t deadline;
  uv_timer_init(loop_, &deadline);
  uv_timer_start(&deadline, [](uv_timer_t* t) { uv_stop(t->loop); }, kTeardownWaitMs, 0);
  uv_unref(reinterpret_cast<uv_handle_t*>(&deadline));
  RunUV(UV_RUN_DEFAULT);
  uv_close(reinterpret_cast<uv_handle_t*>(&deadline), nullptr);
  RunUV(UV_RUN_NOWAIT);
  if (uv_loop_close(loop_) == 0) {
    delete loop_;
  } else {
    ReleaseStuckLoopFds(loop_, &rings_);
  }
  closed_ = true;
  tearingDown_ = false;
  pendingError_.Reset();
}

// ---- attached mode (the watchers on Node's loop: attachment.cc) --------

void LoopWrap::Attach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckUsable(env) || attachment_ != nullptr) return;
  if (running_) {
    CodedError(env, "ERR_LOOP_RUNNING", "cannot attach a running loop").ThrowAsJavaScriptException();
    return;
  }
  attachment_ = Attachment::Start(this);
  SyncAttached();
}

void LoopWrap::Detach(const Napi::CallbackInfo& info) {
  if (!CheckUsable(info.Env()) || attachment_ == nullptr) return;
  attachment_->Close();
  attachment_ = nullptr;
}

void LoopWrap::RunAttached() {
  CallbackScope scope(env_);
  inAttachedRun_ = true;
  RunUV(UV_RUN_NOWAIT);
  inAttachedRun_ = false;
  SyncClock();
  if (attachment_ != nullptr) SyncAttached();  // a callback may have detached
}

void LoopWrap::SyncAttached() {
  uv_update_time(loop_);
  SyncClock();
  attachment_->Sync();
}

void InitLoop(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = LoopWrap::DefineClass(
      env, "Loop",
      {
          LoopWrap::InstanceMethod<&LoopWrap::Run>("run"),
          LoopWrap::InstanceMethod<&LoopWrap::Stop>("stop"),
          LoopWrap::InstanceMethod<&LoopWrap::Now>("now"),
          LoopWrap::InstanceMethod<&LoopWrap::UpdateTime>("updateTime"),
          LoopWrap::InstanceMethod<&LoopWrap::Fileno>("fileno"),
          LoopWrap::InstanceMethod<&LoopWrap::GetTimeout>("getTimeout"),
          LoopWrap::InstanceMethod<&LoopWrap::Alive>("alive"),
          LoopWrap::InstanceMethod<&LoopWrap::Running>("running"),
          LoopWrap::InstanceMethod<&LoopWrap::Handles>("handles"),
          LoopWrap::InstanceMethod<&LoopWrap::Close>("close"),
          LoopWrap::InstanceMethod<&LoopWrap::Attach>("attach"),
          LoopWrap::InstanceMethod<&LoopWrap::Detach>("detach"),
          LoopWrap::InstanceMethod<&LoopWrap::PartMethod<&LoopWrap::work_, &WorkMailbox::Open>>(
              "workMailbox"),
          LoopWrap::InstanceMethod<&LoopWrap::PartMethod<&LoopWrap::work_, &WorkMailbox::Ref>>(
              "workRef"),
          LoopWrap::InstanceMethod<&LoopWrap::PartMethod<&LoopWrap::timers_, &TimerDriver::Clock>>(
              "timerClock"),
          LoopWrap::InstanceMethod<&LoopWrap::PartMethod<&LoopWrap::timers_, &TimerDriver::Tracker>>(
              "timerTracker"),
          LoopWrap::InstanceMethod<&LoopWrap::PartMethod<&LoopWrap::timers_, &TimerDriver::Arm>>(
              "timerArm"),
          LoopWrap::InstanceMethod<&LoopWrap::PartMethod<&LoopWrap::closePhase_, &ClosePhase::Add>>(
              "closePhase"),
          LoopWrap::InstanceMethod<&LoopWrap::PartMethod<&LoopWrap::pollBatch_, &PollBatch::HandOverJS>>(
              "readBatchHandOver"),
      });
  exports.Set("Loop", ctor);
}

UVKIT_INIT(Loop, InitLoop);
