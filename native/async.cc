#include "handle.h"
#include "mailbox.h"

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
  }

 private:
  static void OnAsync(uv_async_t* h) {
    HandleBase* self = static_cast<HandleBase*>(h->data);
    CallbackScope scope(self->env());
    self->Call(kCb_onAsync);
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

  uint64_t mailbox_ = 0;

  void Send(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_async_send(uv());
    if (r != 0) Throw(r, "uv_async_send");
  }
};

UVKIT_INIT(Async, AsyncWrap::Init);
