// Poll: readiness events of any fd that epoll accepts (sockets, pipes,
// FIFOs, ttys, character devices; a regular file is refused with EPERM).
// uv_poll_init puts the fd in non-blocking mode; closing the Poll leaves the
// fd open (it belongs to the caller).
#include <sys/stat.h>

#include "handle.h"

class PollWrap : public HandleWrap<PollWrap, uv_poll_t> {
 public:
  static constexpr const char* kInitSyscall = "uv_poll_init";
  // info[2]: the fd (lib/ checked it is an integer >= 0).
  static int InitHandle(LoopWrap* loop, uv_poll_t* h, const Napi::CallbackInfo& info) {
    return uv_poll_init(loop->uv(), h, info[2].As<Napi::Number>().Int32Value());
  }

  explicit PollWrap(const Napi::CallbackInfo& info) : HandleWrap(info) {
    struct stat st;
    if (handle_ != nullptr && fstat(Fd(), &st) == 0) {
      dev_ = st.st_dev;
      ino_ = st.st_ino;
    }
  }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("Poll", Define(env, "Poll",
                               {
                                   InstanceMethod<&PollWrap::Start>("start"),
                                   InstanceMethod<&PollWrap::Stop>("stop"),
                               }));
  }

 private:
  int Fd() {
    uv_os_fd_t fd = -1;
    uv_fileno(handle_, &fd);
    return fd;
  }

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
    // libuv aborts the process when epoll refuses a watcher it has accepted
    // before: refuse here an fd that was closed (or reused for another file)
    // since the Poll was made.
    struct stat st;
    if (fstat(Fd(), &st) != 0 || st.st_dev != dev_ || st.st_ino != ino_) {
      return Throw(UV_EBADF, "uv_poll_start");
    }
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

  dev_t dev_ = 0;  // the file the fd referred to at init
  ino_t ino_ = 0;
};

void InitPoll(Napi::Env env, Napi::Object exports) { PollWrap::Init(env, exports); }
