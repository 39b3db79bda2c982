// Poll: readiness events of any fd that epoll accepts (sockets, pipes,
// FIFOs, ttys, character devices; a regular file is refused with EPERM).
// uv_poll_init puts the fd in non-blocking mode; closing the Poll leaves the
// fd open (it belongs to the caller).
#include "handle.h"

class PollWrap : public HandleWrap<PollWrap, uv_poll_t> {
 public:
  using HandleWrap::HandleWrap;
  static constexpr const char* kInitSyscall = "uv_poll_init";
  // info[2]: the fd (lib/ checked it is an integer >= 0).
  static int InitHandle(LoopWrap* loop, uv_poll_t* h, const Napi::CallbackInfo& info) {
    return uv_poll_init(loop->uv(), h, info[2].As<Napi::Number>().Int32Value());
  }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("Poll", Define(env, "Poll",
                               {
                                   InstanceMethod<&PollWrap::Start>("start"),
                                   InstanceMethod<&PollWrap::Stop>("stop"),
                               }));
  }

 private:
  static void OnPoll(uv_poll_t* h, int status, int events) {
    HandleBase* self = static_cast<HandleBase*>(h->data);
    napi_env env = self->env();
    CallbackScope scope(env);
    napi_value argv[2];
    if (status < 0) {
      argv[0] = self->Error(status, "poll");
    } else {
      napi_get_null(env, &argv[0]);
    }
    napi_create_int32(env, events, &argv[1]);
    self->Call(kCb_onPoll, 2, argv);
    self->Changed();  // libuv stops the handle after an error
  }

  // start(events): lib/ checked the mask.
  void Start(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_poll_start(uv(), info[0].As<Napi::Number>().Int32Value(), OnPoll);
    Changed();
    if (r != 0) Throw(r, "uv_poll_start");
  }

  void Stop(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_poll_stop(uv());
    Changed();
    if (r != 0) Throw(r, "uv_poll_stop");
  }
};

void InitPoll(Napi::Env env, Napi::Object exports) { PollWrap::Init(env, exports); }
