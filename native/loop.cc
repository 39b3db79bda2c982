#include "loop.h"

#include <dlfcn.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <mutex>

#include "features.h"
#include "handle.h"

UVKIT_CALLBACK(onLoopException);

// Node-side watchers of an attached loop. They live on Node's loop and are
// freed when the last of them has closed.
static const uint64_t kTeardownWaitMs = 2000;

struct LoopWrap::Attachment {
  uv_poll_t poll;    // readable when this loop's backend (epoll) fd has events
  uv_timer_t timer;  // follows this loop's backend timeout
  uv_idle_t idle;    // runs this loop again next iteration when its timeout is 0
  LoopWrap* loop;
  AsyncContext context;
  int open = 3;

  static void OnClosed(uv_handle_t* h) {
    Attachment* a = static_cast<Attachment*>(h->data);
    if (--a->open == 0) delete a;
  }
};

// info[0]: the owner; info[1..3]: blockSignal (0 = none), metricsIdleTime,
// ioUringSqpoll, checked by lib/ (ioUringSqpoll against `features`).
LoopWrap::LoopWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<LoopWrap>(info), env_(info.Env()), addon_(AddonData::Get(info.Env())) {
  loop_ = new uv_loop_t;
  int r = uv_loop_init(loop_);
  if (r != 0) {
    delete loop_;
    closed_ = true;
    napi_throw(env_, MakeUVError(env_, info[0], r, "uv_loop_init"));
    return;
  }
  r = Configure(info[1].As<Napi::Number>().Int32Value(), info[2].ToBoolean(), info[3].ToBoolean());
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
  uv_run(loop_, UV_RUN_NOWAIT);
  uv_close(reinterpret_cast<uv_handle_t*>(turn),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_prepare_t*>(h); });
  uv_run(loop_, UV_RUN_NOWAIT);  // the close callback
}

LoopWrap::~LoopWrap() {
  if (!closed_) {
    Teardown();
  }
  if (addon_ != nullptr) addon_->loops.erase(this);
}

napi_async_context LoopWrap::asyncContext() const {
  return attachment_ != nullptr ? attachment_->context.get() : nullptr;
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
  SyncClock();
  napi_value ignored;
  if (result == nullptr) result = &ignored;
  napi_status status;
  if (attachment_ != nullptr) {
    status = napi_make_callback(env_, ctx != nullptr ? ctx : attachment_->context.get(), recv, fn, argc,
                                argv, result);
  } else {
    status = napi_call_function(env_, recv, fn, argc, argv, result);
  }
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
            ? napi_make_callback(env_, attachment_->context.get(), owner, fn, 1, argv, &handled)
            : napi_call_function(env_, owner, fn, 1, argv, &handled);
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
  if (attachment_ != nullptr) {
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
  WatchTermination();
  running_ = true;
  int more = uv_run(loop_, mode);
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
  ListTimers(list, &walk.n);
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
  if (workPending_ > 0 || loop_->active_reqs.count > 0 || HasOpenTimers()) {
    napi_throw(env, MakeUVError(env, Value(), UV_EBUSY, "uv_loop_close"));
    return;
  }
  CloseWorkMailbox();
  CloseTerminationWatch();
  DropTimers();
  // Handles that are still open make it EBUSY. Ones already closing, or
  // whose owner was collected (its finalizer may not have run yet), are
  // closed and finished first.
  bool busy = false;
  uv_walk(
      loop_,
      [](uv_handle_t* h, void* arg) {
        HandleBase* wrap = static_cast<HandleBase*>(h->data);
        if (wrap != nullptr && wrap->owner().IsEmpty()) {
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
  DetachNow();
  running_ = true;  // close callbacks run here: no run() from inside them
  uv_run(loop_, UV_RUN_DEFAULT);
  running_ = false;
  int r = uv_loop_close(loop_);
  if (r != 0) {
    napi_throw(env, MakeUVError(env, Value(), r, "uv_loop_close"));
    return;
  }
  delete loop_;
  closed_ = true;
}

// A request is still in the threadpool (an open of a FIFO that no one
// writes to): the uv_loop_t stays allocated for good, never run again, so
// the request's completion (uv_async_send on the loop's wq_async, from the
// pool thread) lands in memory that is still valid. Its fds are not needed
// any more and are closed, except the one that completion writes to: the
// async eventfd is swapped for one process-wide sink eventfd (a write to a
// closed fd would make libuv abort; one to a reused number would write into
// someone else's file). What stays per stuck loop is memory, not fds.
static void ReleaseStuckLoopFds(uv_loop_t* loop) {
  static int sink = -1;
  static std::mutex mu;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (sink < 0) {
      sink = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
      // The sink lives as long as the process: keep this module (and so the
      // variable) loaded even when the last environment using it unloads it.
      Dl_info self;
      if (dladdr(reinterpret_cast<void*>(&ReleaseStuckLoopFds), &self) != 0 && self.dli_fname) {
        dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
      }
    }
  }
  if (sink < 0) return;  // keep everything as it is
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
  DetachNow();
  CloseWorkMailbox();
  CloseTerminationWatch();
  DropTimers();
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
  uv_run(loop_, UV_RUN_DEFAULT);
  uv_close(reinterpret_cast<uv_handle_t*>(&deadline), nullptr);
  uv_run(loop_, UV_RUN_NOWAIT);
  if (uv_loop_close(loop_) == 0) {
    delete loop_;
  } else {
    ReleaseStuckLoopFds(loop_);
  }
  closed_ = true;
  tearingDown_ = false;
  pendingError_.Reset();
}

// ---- attached mode -------------------------------------------------------

void LoopWrap::Attach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckUsable(env) || attachment_ != nullptr) return;
  if (running_) {
    CodedError(env, "ERR_LOOP_RUNNING", "cannot attach a running loop").ThrowAsJavaScriptException();
    return;
  }
  uv_loop_t* node;
  napi_get_uv_event_loop(env, &node);
  Attachment* a = new Attachment();
  a->loop = this;
  uv_poll_init(node, &a->poll, uv_backend_fd(loop_));
  uv_timer_init(node, &a->timer);
  uv_idle_init(node, &a->idle);
  a->poll.data = a;
  a->timer.data = a;
  a->idle.data = a;
  a->context.Init(env, "uvkit.Loop");
  uv_poll_start(&a->poll, UV_READABLE, OnNodePoll);
  attachment_ = a;
  SyncAttached();
}

void LoopWrap::Detach(const Napi::CallbackInfo& info) {
  if (CheckUsable(info.Env())) DetachNow();
}

void LoopWrap::DetachNow() {
  Attachment* a = attachment_;
  if (a == nullptr) return;
  attachment_ = nullptr;
  a->context.Destroy(env_);
  uv_close(reinterpret_cast<uv_handle_t*>(&a->poll), Attachment::OnClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&a->timer), Attachment::OnClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&a->idle), Attachment::OnClosed);
}

void LoopWrap::OnNodePoll(uv_poll_t* h, int status, int events) {
  static_cast<Attachment*>(h->data)->loop->RunAttached();
}

void LoopWrap::OnNodeTimer(uv_timer_t* h) {
  static_cast<Attachment*>(h->data)->loop->RunAttached();
}

void LoopWrap::OnNodeIdle(uv_idle_t* h) {
  static_cast<Attachment*>(h->data)->loop->RunAttached();
}

void LoopWrap::RunAttached() {
  CallbackScope scope(env_);
  inAttachedRun_ = true;
  uv_run(loop_, UV_RUN_NOWAIT);
  inAttachedRun_ = false;
  SyncClock();
  if (attachment_ != nullptr) SyncAttached();  // a callback may have detached
}

// Node's loop polls this loop's backend fd and wakes for its next timer (an
// idle handle when that is now: a Node timer re-armed at 0 from its own
// callback would run again in the same pass, for ever). The watchers keep
// Node alive exactly while this loop is alive.
void LoopWrap::SyncAttached() {
  Attachment* a = attachment_;
  uv_handle_t* poll = reinterpret_cast<uv_handle_t*>(&a->poll);
  uv_handle_t* timer = reinterpret_cast<uv_handle_t*>(&a->timer);
  uv_handle_t* idle = reinterpret_cast<uv_handle_t*>(&a->idle);
  uv_update_time(loop_);
  SyncClock();
  int timeout = uv_loop_alive(loop_) ? uv_backend_timeout(loop_) : -1;
  if (timeout > 0) {
    uv_timer_start(&a->timer, OnNodeTimer, timeout, 0);
  } else {
    uv_timer_stop(&a->timer);
  }
  if (timeout == 0) {
    uv_idle_start(&a->idle, OnNodeIdle);
  } else {
    uv_idle_stop(&a->idle);
  }
  for (uv_handle_t* h : {poll, timer, idle}) {
    if (uv_loop_alive(loop_)) {
      uv_ref(h);
    } else {
      uv_unref(h);
    }
  }
}

// ---- worker termination -------------------------------------------------

// worker.terminate() stops the isolate and wakes the worker's Node loop with
// uv_async_send, but a worker blocked in this loop's run() never sees it. So
// a worker's loop also watches the eventfd behind its Node loop's async
// handles, through a private edge-triggered epoll (one wake per send, never
// a busy loop), and on a wake checks whether JavaScript can still run.
struct LoopWrap::TerminationWatch {
  uv_poll_t poll;
  int epfd;
};

void LoopWrap::WatchTermination() {
  uv_loop_t* node;
  napi_get_uv_event_loop(env_, &node);
  if (terminationWatch_ != nullptr || node == uv_default_loop()) return;  // main thread
  int eventfd = node->async_io_watcher.fd;
  if (eventfd < 0) return;
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, eventfd, &ev) != 0 ||
      uv_poll_init(loop_, &(terminationWatch_ = new TerminationWatch())->poll, epfd) != 0) {
    close(epfd);
    delete terminationWatch_;
    terminationWatch_ = nullptr;
    return;
  }
  terminationWatch_->epfd = epfd;
  terminationWatch_->poll.data = nullptr;  // internal: loop.handles skips it
  uv_poll_start(&terminationWatch_->poll, UV_READABLE, [](uv_poll_t* h, int, int) {
    LoopWrap* self = static_cast<LoopWrap*>(h->loop->data);
    epoll_event drained[4];
    while (epoll_wait(self->terminationWatch_->epfd, drained, 4, 0) > 0) {
    }
    CallbackScope scope(self->env_);
    napi_value global, result;
    napi_get_global(self->env_, &global);
    if (napi_call_function(self->env_, global, self->addon_->noop.Value(), 0, nullptr, &result) !=
        napi_ok) {
      bool pending;
      napi_is_exception_pending(self->env_, &pending);
      if (pending) napi_get_and_clear_last_exception(self->env_, &result);
      uv_stop(self->loop_);  // terminating: let run() return
    }
  });
  uv_unref(reinterpret_cast<uv_handle_t*>(&terminationWatch_->poll));
}

void LoopWrap::CloseTerminationWatch() {
  if (terminationWatch_ == nullptr) return;
  uv_close(reinterpret_cast<uv_handle_t*>(&terminationWatch_->poll), [](uv_handle_t* h) {
    TerminationWatch* w = reinterpret_cast<TerminationWatch*>(h);
    close(w->epfd);
    delete w;
  });
  terminationWatch_ = nullptr;
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
          LoopWrap::InstanceMethod<&LoopWrap::WorkMailbox>("workMailbox"),
          LoopWrap::InstanceMethod<&LoopWrap::WorkRef>("workRef"),
          LoopWrap::InstanceMethod<&LoopWrap::TimerClock>("timerClock"),
          LoopWrap::InstanceMethod<&LoopWrap::TimerTrack>("timerTrack"),
          LoopWrap::InstanceMethod<&LoopWrap::TimerUntrack>("timerUntrack"),
          LoopWrap::InstanceMethod<&LoopWrap::TimerArm>("timerArm"),
      });
  exports.Set("Loop", ctor);
}

UVKIT_INIT(Loop, InitLoop);
