// Poll: readiness events of any fd that epoll accepts (sockets, pipes,
// FIFOs, ttys, character devices; a regular file is refused with EPERM).
// uv_poll_init puts the fd in non-blocking mode; closing the Poll leaves the
// fd open (it belongs to the caller).
//
// The fd is the caller's: they may close it (or close it and open another
// file that gets its number) while the Poll watches it. libuv aborts the
// process when epoll then refuses a change of the watcher (uv__epoll_ctl_prep
// in src/unix/linux.c, 1.45 to 1.52: an EPOLL_CTL_ADD failing other than
// with EEXIST, or any failed EPOLL_CTL_MOD, calls abort()). So libuv never
// sees the caller's fd: it watches a private dup, which only the Poll
// closes, after libuv has removed it from epoll (HandleBase::CloseFdAfter).
// The caller's fd is checked (still open, still the same open file as the
// dup: SameOpenFile) before every start and every event; once it is gone the
// Poll stops and its callback gets EBADF.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "handle.h"

UVKIT_CALLBACK(onPoll);

class PollWrap : public HandleWrap<PollWrap, uv_poll_t> {
 public:
  static constexpr const char* kInitSyscall = "uv_poll_init";
  // info[1]: the fd (lib/ checked it is an integer >= 0).
  static int InitHandle(LoopWrap* loop, uv_poll_t* h, const Napi::CallbackInfo& info) {
    int fd = info[1].As<Napi::Number>().Int32Value();
    if (fcntl(fd, F_GETFD) < 0) return UV_EBADF;
    // libuv's own answer for a second watcher of one fd in one loop.
    bool watched = false;
    struct Find {
      int fd;
      bool* watched;
    } find{fd, &watched};
    uv_walk(
        loop->uv(),
        [](uv_handle_t* other, void* arg) {
          Find* f = static_cast<Find*>(arg);
          HandleBase* wrap = static_cast<HandleBase*>(other->data);
          if (other->type != UV_POLL || wrap == nullptr || !uv_is_active(other)) return;
          if (static_cast<PollWrap*>(wrap)->userFd_ == f->fd) *f->watched = true;
        },
        &find);
    if (watched) return UV_EEXIST;
    int own = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (own < 0) return uv_translate_sys_error(errno);
    int r = uv_poll_init(loop->uv(), h, own);
    if (r != 0) {
      close(own);
      return r;
    }
    CloseFdAfter(reinterpret_cast<uv_handle_t*>(h)) = own;
    return 0;
  }

  explicit PollWrap(const Napi::CallbackInfo& info) : HandleWrap(info) {
    struct stat st;
    if (handle_ != nullptr && fstat(OwnFd(), &st) == 0) {
      userFd_ = info[1].As<Napi::Number>().Int32Value();
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

  // The caller's fd, not the private dup.
  Napi::Value Fileno(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return info.Env().Undefined();
    return Napi::Number::New(info.Env(), userFd_);
  }

 private:
  int OwnFd() {
    uv_os_fd_t fd = -1;
    uv_fileno(handle_, &fd);
    return fd;
  }

  // Whether the caller's fd is still open and still the file the Poll was
  // made for.
  bool UserFdValid() { return SameOpenFile(userFd_, OwnFd(), dev_, ino_); }

  static void OnPoll(uv_poll_t* h, int status, int events) {
    PollWrap* self = static_cast<PollWrap*>(static_cast<HandleBase*>(h->data));
    napi_env env = self->env();
    CallbackScope scope(env);
    if (status == 0 && !self->UserFdValid()) {
      uv_poll_stop(h);
      status = UV_EBADF;
      events = 0;
    }
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
    // A caller's fd closed (or reused for another file) since the Poll was
    // made: EBADF.
    if (!UserFdValid()) return Throw(UV_EBADF, "uv_poll_start");
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

  int userFd_ = -1;
  dev_t dev_ = 0;  // the file the fd referred to at init
  ino_t ino_ = 0;
};

UVKIT_INIT(Poll, PollWrap::Init);
