#include "handle.h"

class AsyncWrap : public HandleWrap<AsyncWrap, uv_async_t> {
 public:
  using HandleWrap::HandleWrap;
  static constexpr const char* kInitSyscall = "uv_async_init";
  static int InitHandle(LoopWrap* loop, uv_async_t* h, const Napi::CallbackInfo&) {
    return uv_async_init(loop->uv(), h, OnAsync);
  }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("Async", Define(env, "Async", {InstanceMethod<&AsyncWrap::Send>("send")}));
  }

 private:
  static void OnAsync(uv_async_t* h) {
    HandleBase* self = static_cast<HandleBase*>(h->data);
    CallbackScope scope(self->env());
    self->Call(kCb_onAsync);
  }

  void Send(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_async_send(uv());
    if (r != 0) Throw(r, "uv_async_send");
  }
};

void InitAsync(Napi::Env env, Napi::Object exports) { AsyncWrap::Init(env, exports); }
