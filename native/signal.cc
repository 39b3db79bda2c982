#include "handle.h"

UVKIT_CALLBACK(onSignal);

class SignalWrap : public HandleWrap<SignalWrap, uv_signal_t> {
 public:
  using HandleWrap::HandleWrap;
  static constexpr const char* kInitSyscall = "uv_signal_init";
  static int InitHandle(LoopWrap* loop, uv_signal_t* h, const Napi::CallbackInfo&) {
    return uv_signal_init(loop->uv(), h);
  }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("Signal", Define(env, "Signal",
                                 {
                                     InstanceMethod<&SignalWrap::Start>("start"),
                                     InstanceMethod<&SignalWrap::Stop>("stop"),
                                     InstanceMethod<&SignalWrap::Signum>("signum"),
                                 }));
  }

 private:
  static void OnSignal(uv_signal_t* h, int signum) {
    HandleBase* self = static_cast<HandleBase*>(h->data);
    CallbackScope scope(self->env());
    napi_value argv[1];
    napi_create_int32(self->env(), signum, &argv[0]);
    self->Call(kCb_onSignal, 1, argv);
    self->Changed();  // a one-shot signal is now inactive
  }

  // start(signum, oneshot)
  void Start(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int signum = info[0].As<Napi::Number>().Int32Value();
    int r = Truthy(info[1]) ? uv_signal_start_oneshot(uv(), OnSignal, signum)
                            : uv_signal_start(uv(), OnSignal, signum);
    if (r != 0) return Throw(r, "uv_signal_start");
    Changed();
  }

  void Stop(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_signal_stop(uv());
    if (r != 0) return Throw(r, "uv_signal_stop");
    Changed();
  }

  Napi::Value Signum(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), handle_ ? uv()->signum : 0);
  }
};

UVKIT_INIT(Signal, SignalWrap::Init);
