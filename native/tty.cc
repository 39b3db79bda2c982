#include "stream.h"

class TTYWrap : public HandleWrap<TTYWrap, uv_tty_t, StreamWrap> {
 public:
  using HandleWrap::HandleWrap;
  static constexpr const char* kInitSyscall = "uv_tty_init";
  // info[1]: fd, info[2]: readable
  static int InitHandle(LoopWrap* loop, uv_tty_t* h, const Napi::CallbackInfo& info) {
    return uv_tty_init(loop->uv(), h, info[1].As<Napi::Number>().Int32Value(),
                       Truthy(info[2]) ? 1 : 0);
  }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("TTY", Define(env, "TTY", Methods<TTYWrap>(
                                    {
                                        InstanceMethod<&TTYWrap::SetMode>("setMode"),
                                        InstanceMethod<&TTYWrap::GetWinsize>("getWinsize"),
                                    })));
    exports.Set("ttyResetMode", Napi::Function::New<ResetMode>(env, "ttyResetMode"));
  }

 private:
  void SetMode(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_tty_set_mode(uv(), static_cast<uv_tty_mode_t>(info[0].As<Napi::Number>().Int32Value()));
    if (r != 0) Throw(r, "uv_tty_set_mode");
  }

  Napi::Value GetWinsize(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return env.Undefined();
    int width, height;
    int r = uv_tty_get_winsize(uv(), &width, &height);
    if (r != 0) {
      Throw(r, "uv_tty_get_winsize");
      return env.Undefined();
    }
    Napi::Object size = Napi::Object::New(env);
    size.Set("width", Napi::Number::New(env, width));
    size.Set("height", Napi::Number::New(env, height));
    return size;
  }

  // Restores the terminal mode saved by the first setMode() of the process;
  // returns libuv's status for lib/ to raise as a TTYError.
  static Napi::Value ResetMode(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), uv_tty_reset_mode());
  }
};

UVKIT_INIT(TTY, TTYWrap::Init);
