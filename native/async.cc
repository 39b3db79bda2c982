#include <cstddef>

#include "handle.h"
#include "mailbox.h"

// Async: a uv_async_t, woken two ways.
//
// From other threads (AsyncSender, through the Mailbox) by uv_async_send, as
// libuv does it: an eventfd write that wakes the loop's epoll.
//
// From the loop's own thread (send() of the lib/ object; a JavaScript object
// is only reachable from the thread that runs its loop) without a syscall:
// send() sets `pending_` and starts two internal handles, made on first use:
//  - an idle handle, whose callback does nothing: while an idle handle is
//    started, libuv does not block in poll (uv_backend_timeout() is 0), so
//    the loop, an embedder reading getTimeout() and an attached loop's Node
//    side all learn of the pending send from the loop's own state;
//  - a check handle, which delivers: the check phase comes after poll, so a
//    wake from another thread that is already in the eventfd is delivered
//    first (OnAsync) and takes a pending same-thread send with it, and sends
//    from both sides before the callback still give one callback.
// Delivering clears `pending_` and stops both before calling JavaScript: a
// send from inside the callback starts them again, for a later iteration
// (libuv runs the check handles that were started when the phase began).
// Both are unreferenced, so the uv_async_t alone says whether the Async
// keeps the loop alive (ref/unref), and have data == nullptr, so
// loop.handles and loop teardown skip them; they close with the Async.

UVKIT_CALLBACK(onAsync);

class AsyncWrap : public HandleWrap<AsyncWrap, uv_async_t> {
 public:
  using HandleWrap::HandleWrap;
  static constexpr const char* kInitSyscall = "uv_async_init";
  static int InitHandle(LoopWrap* loop, uv_async_t* h, const Napi::CallbackInfo&) {
    return uv_async_init(loop->uv(), h, OnAsync);
  }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("Async", Define(env, "Async",
                                {
                                    InstanceMethod<&AsyncWrap::Send>("send"),
                                    InstanceMethod<&AsyncWrap::Transferable>("transferable"),
                                }));
    exports.Set("asyncSend", Napi::Function::New<SendById>(env, "asyncSend"));
  }

  ~AsyncWrap() override { Closing(); }
  void Closing() override {
    if (mailbox_ != 0) Mailbox::Close(mailbox_);
    mailbox_ = 0;
    pending_ = false;
    if (local_ != nullptr) local_->Close();
    local_ = nullptr;
  }

 private:
  // The internal handles of same-thread sends; freed when both have closed.
  struct LocalWake {
    uv_idle_t idle;
    uv_check_t check;
    AsyncWrap* owner;
    int open = 2;

    explicit LocalWake(AsyncWrap* o) : owner(o) {
      uv_loop_t* loop = o->loop()->uv();
      uv_idle_init(loop, &idle);
      uv_check_init(loop, &check);
      idle.data = nullptr;
      check.data = nullptr;
      uv_unref(reinterpret_cast<uv_handle_t*>(&idle));
      uv_unref(reinterpret_cast<uv_handle_t*>(&check));
    }
    void Start() {
      uv_idle_start(&idle, [](uv_idle_t*) {});
      uv_check_start(&check, OnCheck);
    }
    void Stop() {
      uv_idle_stop(&idle);
      uv_check_stop(&check);
    }
    void Close() {
      owner = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(&idle), [](uv_handle_t* h) {
        Closed(reinterpret_cast<LocalWake*>(reinterpret_cast<char*>(h) - offsetof(LocalWake, idle)));
      });
      uv_close(reinterpret_cast<uv_handle_t*>(&check), [](uv_handle_t* h) {
        Closed(reinterpret_cast<LocalWake*>(reinterpret_cast<char*>(h) - offsetof(LocalWake, check)));
      });
    }
    static void Closed(LocalWake* w) {
      if (--w->open == 0) delete w;
    }
    // data stays null (an internal handle): the struct is found from the member
    static void OnCheck(uv_check_t* h) {
      LocalWake* w = reinterpret_cast<LocalWake*>(reinterpret_cast<char*>(h) - offsetof(LocalWake, check));
      if (w->owner != nullptr) w->owner->Deliver();
    }
  };

  // The eventfd path: a send from another thread (or several, coalesced by
  // libuv), which also answers a pending same-thread send.
  static void OnAsync(uv_async_t* h) {
    HandleBase* base = static_cast<HandleBase*>(h->data);
    if (base != nullptr) static_cast<AsyncWrap*>(base)->Deliver();
  }

  void Deliver() {
    if (pending_) {
      pending_ = false;
      local_->Stop();
    }
    CallbackScope scope(env());
    Call(kCb_onAsync);
  }

  // An id other threads can send through (Mailbox); made on first use.
  Napi::Value Transferable(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return info.Env().Undefined();
    if (mailbox_ == 0) mailbox_ = Mailbox::Open(uv());
    return Napi::Number::New(info.Env(), static_cast<double>(mailbox_));
  }

  // asyncSend(id) from any thread: wakes the Async if it is still open.
  static Napi::Value SendById(const Napi::CallbackInfo& info) {
    uint64_t id = static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue());
    return Napi::Boolean::New(info.Env(), Mailbox::Send(id, nullptr));
  }

  // send() of the lib/ object: always on the loop's thread (see the top).
  void Send(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env()) || pending_) return;  // pending: coalesced
    if (local_ == nullptr) local_ = new LocalWake(this);
    local_->Start();
    pending_ = true;
    loop()->Touch();  // an attached loop's Node side: this loop's timeout is now 0
  }

  uint64_t mailbox_ = 0;
  LocalWake* local_ = nullptr;
  bool pending_ = false;  // a same-thread send not yet delivered
};

UVKIT_INIT(Async, AsyncWrap::Init);
