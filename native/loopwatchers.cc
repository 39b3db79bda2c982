// Prepare, Check and Idle: the same handle three times, from one template.
#include "handle.h"

UVKIT_CALLBACK(onWatcher);

template <class U, int (*init)(uv_loop_t*, U*), int (*start)(U*, void (*)(U*)),
          int (*stop)(U*)>
class WatcherWrap : public HandleWrap<WatcherWrap<U, init, start, stop>, U> {
  using Base = HandleWrap<WatcherWrap<U, init, start, stop>, U>;

 public:
  using Base::Base;
  static constexpr const char* kInitSyscall = "init";
  static int InitHandle(LoopWrap* loop, U* h, const Napi::CallbackInfo&) {
    return init(loop->uv(), h);
  }

  static void Init(Napi::Env env, Napi::Object exports, const char* name) {
    exports.Set(name, Base::Define(env, name,
                                   {
                                       Base::template InstanceMethod<&WatcherWrap::Start>("start"),
                                       Base::template InstanceMethod<&WatcherWrap::Stop>("stop"),
                                   }));
  }

 private:
  static void OnEvent(U* h) {
    HandleBase* self = static_cast<HandleBase*>(h->data);
    CallbackScope scope(self->env());
    self->Call(kCb_onWatcher);
  }

  void Start(const Napi::CallbackInfo& info) {
    if (!this->IsOpen(info.Env())) return;
    start(this->uv(), OnEvent);
    this->Changed();
  }

  void Stop(const Napi::CallbackInfo& info) {
    if (!this->IsOpen(info.Env())) return;
    stop(this->uv());
    this->Changed();
  }
};

void InitLoopWatchers(Napi::Env env, Napi::Object exports) {
  WatcherWrap<uv_prepare_t, uv_prepare_init, uv_prepare_start, uv_prepare_stop>::Init(
      env, exports, "Prepare");
  WatcherWrap<uv_check_t, uv_check_init, uv_check_start, uv_check_stop>::Init(env, exports,
                                                                               "Check");
  WatcherWrap<uv_idle_t, uv_idle_init, uv_idle_start, uv_idle_stop>::Init(env, exports, "Idle");
}

UVKIT_INIT(LoopWatchers, InitLoopWatchers);
