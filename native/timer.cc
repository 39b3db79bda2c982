#include "handle.h"

class TimerWrap : public HandleWrap<TimerWrap, uv_timer_t> {
 public:
  using HandleWrap::HandleWrap;
  static constexpr const char* kInitSyscall = "uv_timer_init";
  static int InitHandle(LoopWrap* loop, uv_timer_t* h, const Napi::CallbackInfo&) {
    return uv_timer_init(loop->uv(), h);
  }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("Timer", Define(env, "Timer",
                                {
                                    InstanceMethod<&TimerWrap::Start>("start"),
                                    InstanceMethod<&TimerWrap::Stop>("stop"),
                                    InstanceMethod<&TimerWrap::Again>("again"),
                                    InstanceMethod<&TimerWrap::GetRepeat>("getRepeat"),
                                    InstanceMethod<&TimerWrap::SetRepeat>("setRepeat"),
                                    InstanceMethod<&TimerWrap::DueIn>("dueIn"),
                                }));
  }

 private:
  static void OnTimer(uv_timer_t* h) {
    TimerWrap* self = static_cast<TimerWrap*>(static_cast<HandleBase*>(h->data));
    CallbackScope scope(self->env());
    self->Call(kCb_onTimer);
    self->Changed();  // a one-shot timer is now inactive
  }

  // start(timeoutMs, repeatMs): lib/ checks both are integers >= 0.
  void Start(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    uint64_t timeout = static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue());
    uint64_t repeat = static_cast<uint64_t>(info[1].As<Napi::Number>().DoubleValue());
    uv_timer_start(uv(), OnTimer, timeout, repeat);
    Changed();
  }

  void Stop(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    uv_timer_stop(uv());
    Changed();
  }

  void Again(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_timer_again(uv());
    if (r != 0) return Throw(r, "uv_timer_again");
    Changed();
  }

  Napi::Value GetRepeat(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), handle_ ? uv_timer_get_repeat(uv()) : 0);
  }

  void SetRepeat(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    uv_timer_set_repeat(uv(), static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue()));
  }

  Napi::Value DueIn(const Napi::CallbackInfo& info) {
    bool running = handle_ != nullptr && uv_is_active(handle_);
    return Napi::Number::New(info.Env(), running ? uv_timer_get_due_in(uv()) : 0);
  }
};

void InitTimer(Napi::Env env, Napi::Object exports) { TimerWrap::Init(env, exports); }
