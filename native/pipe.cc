#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stream.h"

// Handle passing over IPC pipes: the carrier of a sent handle is a private
// pipe on a dup of its fd (datapath::Request), so that the user may close
// the sent handle at once without libuv reading a freed handle later.
// Returns a libuv error or 0.
static int MakeCarrier(uv_loop_t* loop, uv_handle_t* sent, uv_pipe_t** out) {
  uv_os_fd_t fd;
  int r = uv_fileno(sent, &fd);
  if (r != 0) return r;
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return uv_translate_sys_error(errno);
  uv_pipe_t* carrier = static_cast<uv_pipe_t*>(malloc(sizeof(uv_pipe_t)));
  uv_pipe_init(loop, carrier, 0);
  carrier->data = nullptr;  // not a wrap: loop walks skip it
  r = uv_pipe_open(carrier, copy);
  if (r != 0) {
    close(copy);
    datapath::CloseCarrier(carrier);
    return r;
  }
  *out = carrier;
  return 0;
}

class PipeWrap : public HandleWrap<PipeWrap, uv_pipe_t, StreamWrap> {
 public:
  using HandleWrap::HandleWrap;
  ~PipeWrap() override { CloseUserFd(); }
  static constexpr const char* kInitSyscall = "uv_pipe_init";
  // info[1]: ipc
  static int InitHandle(LoopWrap* loop, uv_pipe_t* h, const Napi::CallbackInfo& info) {
    return uv_pipe_init(loop->uv(), h, Truthy(info[1]) ? 1 : 0);
  }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("Pipe", Define(env, "Pipe", Methods<PipeWrap>(
                                     {
                                         InstanceMethod<&PipeWrap::Bind>("bind"),
                                         InstanceMethod<&PipeWrap::Connect>("connect"),
                                         InstanceMethod<&PipeWrap::Open>("open"),
                                         InstanceMethod<&PipeWrap::PendingInstances>(
                                             "pendingInstances"),
                                         InstanceMethod<&PipeWrap::Chmod>("chmod"),
                                         InstanceMethod<&PipeWrap::GetSockName>("getsockname"),
                                         InstanceMethod<&PipeWrap::GetPeerName>("getpeername"),
                                         InstanceMethod<&PipeWrap::PendingCount>("pendingCount"),
                                         InstanceMethod<&PipeWrap::PendingType>(
                                             "pendingHandleType"),
                                     })));
  }

 private:
  // Names are passed with their length, so a leading NUL (a Linux abstract
  // socket) survives; NO_TRUNCATE turns a too long path into EINVAL instead
  // of binding a shorter one.
  void Bind(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    std::string name = info[0].As<Napi::String>().Utf8Value();
    int r = uv_pipe_bind2(uv(), name.data(), name.size(), UV_PIPE_NO_TRUNCATE);
    if (r != 0) Throw(r, "bind");
  }

  void Connect(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env()) || !CanConnect()) return;
    std::string name = info[0].As<Napi::String>().Utf8Value();
    uv_connect_t* req = new uv_connect_t;
    int r = uv_pipe_connect2(req, uv(), name.data(), name.size(), UV_PIPE_NO_TRUNCATE,
                             OnConnect);
    ConnectStarted(r, req);
  }

  // open(fd): the Pipe owns the fd from here on, but the caller still
  // holds its number and may close it under the handle; libuv aborts the
  // process when epoll then refuses a change of the watcher (see poll.cc).
  // So libuv gets a private dup that only it closes; the caller's fd is
  // closed with the handle if it is still the same file, and a read or
  // write started after the caller closed it fails with EBADF.
  void Open(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int fd = info[0].As<Napi::Number>().Int32Value();
    int r = CheckStreamFd(fd, UV_NAMED_PIPE);
    if (r != 0) return Throw(r, "open");
    int own = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (own < 0) return Throw(uv_translate_sys_error(errno), "open");
    r = uv_pipe_open(uv(), own);
    if (r != 0) {
      close(own);
      return Throw(r, "open");
    }
    struct stat st;
    fstat(own, &st);
    userFd_ = fd;
    dev_ = st.st_dev;
    ino_ = st.st_ino;
  }

  // Reached from the handle template: public.
 public:
  bool UserFdValid() override {
    if (userFd_ < 0) return true;
    uv_os_fd_t own = -1;
    if (handle_ != nullptr) uv_fileno(handle_, &own);
    return SameOpenFile(userFd_, own, dev_, ino_);
  }

  void CloseUserFd() {
    if (userFd_ >= 0 && handle_ != nullptr && UserFdValid()) close(userFd_);
    userFd_ = -1;
  }

  void Closing() override {
    CloseUserFd();
    StreamWrap::Closing();
  }

  void ReadStart(const Napi::CallbackInfo& info) {
    if (IsOpen(info.Env()) && !UserFdValid()) return Throw(UV_EBADF, "read");
    StreamWrap::ReadStart(info);
  }

  // write(id, data, hasCallback, sendHandle?)
  void Write(const Napi::CallbackInfo& info) override {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return;
    if (!UserFdValid()) return Throw(UV_EBADF, "write");
    if (info.Length() <= 3 || info[3].IsUndefined()) return StreamWrap::Write(info);
    SendBatchedFirst();
    datapath::Bufs bufs;
    if (!bufs.Gather(env, info[1])) return;
    uv_pipe_t* carrier;
    if (!Carrier(env, info[3], &carrier)) return;
    int r = WriteBufs(bufs, Truthy(info[2]), carrier);
    if (r != 0) Throw(r, "write");
  }

  // tryWrite(data, sendHandle?) -> bytes written. A handle is sent with the
  // first byte or not at all (uv_try_write2).
  Napi::Value TryWrite(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() <= 1 || info[1].IsUndefined()) return StreamWrap::TryWrite(info);
    if (!IsOpen(env)) return env.Undefined();
    SendBatchedFirst();
    datapath::Bufs bufs;
    uv_pipe_t* carrier;
    if (!bufs.Gather(env, info[0]) || !Carrier(env, info[1], &carrier)) return env.Undefined();
    int r = uv_try_write2(stream(), bufs.list, bufs.n, reinterpret_cast<uv_stream_t*>(carrier));
    datapath::CloseCarrier(carrier);
    if (r < 0) {
      Throw(r, "write");
      return env.Undefined();
    }
    return Napi::Number::New(env, r);
  }

  // The caller's fd for a Pipe made by open(fd).
  Napi::Value Fileno(const Napi::CallbackInfo& info) {
    if (userFd_ >= 0 && IsOpen(info.Env())) return Napi::Number::New(info.Env(), userFd_);
    return HandleBase::Fileno(info);
  }

  int userFd_ = -1;  // the fd given to open(), -1 if none
  dev_t dev_ = 0;
  ino_t ino_ = 0;

 private:
  // The carrier of a handle sent over this pipe (write, tryWrite): false
  // after throwing if `value` is not an open TCP, Pipe or UDP handle or this
  // is not an IPC pipe.
  bool Carrier(Napi::Env env, Napi::Value value, uv_pipe_t** carrier) {
    HandleBase* sent = HandleBase::FromValue(env, value);
    uv_handle_t* h = sent != nullptr ? sent->uvHandle() : nullptr;
    if (h == nullptr || uv_is_closing(h) ||
        (h->type != UV_TCP && h->type != UV_NAMED_PIPE && h->type != UV_UDP)) {
      Napi::TypeError::New(env, "sendHandle must be an open TCP, Pipe or UDP handle")
          .ThrowAsJavaScriptException();
      return false;
    }
    if (!uv()->ipc) {
      Throw(UV_EINVAL, "write");  // libuv's answer for a non-IPC stream
      return false;
    }
    int r = MakeCarrier(handle_->loop, h, carrier);
    if (r != 0) {
      Throw(r, "write");
      return false;
    }
    return true;
  }

  uv_handle_type AcceptType() override {
    return uv()->ipc && uv_pipe_pending_count(uv()) > 0 ? uv_pipe_pending_type(uv()) : UV_NAMED_PIPE;
  }

  void PendingInstances(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    uv_pipe_pending_instances(uv(), info[0].As<Napi::Number>().Int32Value());
  }

  // chmod(flags): UV_READABLE | UV_WRITABLE. The socket's mode becomes
  // exactly r, w or rw for everyone, as libuv >= 1.51 sets it; libuv < 1.51
  // only adds those bits, so uvkit sets the mode itself on every libuv.
  void Chmod(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int flags = info[0].As<Napi::Number>().Int32Value();
    mode_t mode = ((flags & UV_READABLE) ? 0444 : 0) | ((flags & UV_WRITABLE) ? 0222 : 0);
    uv_os_fd_t fd;
    char name[1024];
    size_t len = sizeof name - 1;
    int r = uv_fileno(handle_, &fd);
    if (r == 0) r = SockName(false, name, &len);
    if (r == 0) {
      name[len] = '\0';  // an abstract or unbound name is "" here: ENOENT
      r = chmod(name, mode) == 0 ? 0 : -errno;
    }
    if (r != 0) Throw(r, "chmod");
  }

  // The socket's (or the peer's) name into buf. libuv reads buf[0] after
  // copying an empty name (an unbound socket): it starts as "", so that
  // read is of a set byte.
  int SockName(bool peer, char* buf, size_t* len) {
    buf[0] = '\0';
    return peer ? uv_pipe_getpeername(uv(), buf, len) : uv_pipe_getsockname(uv(), buf, len);
  }

  Napi::Value Name(const Napi::CallbackInfo& info, bool peer) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return env.Undefined();
    char buf[1024];
    size_t len = sizeof buf;
    int r = SockName(peer, buf, &len);
    if (r != 0) {
      Throw(r, peer ? "getpeername" : "getsockname");
      return env.Undefined();
    }
    return Napi::String::New(env, buf, len);
  }
  Napi::Value GetSockName(const Napi::CallbackInfo& info) { return Name(info, false); }
  Napi::Value GetPeerName(const Napi::CallbackInfo& info) { return Name(info, true); }

  // How many received handles wait to be accepted (IPC pipes).
  Napi::Value PendingCount(const Napi::CallbackInfo& info) {
    int n = handle_ != nullptr && uv()->ipc ? uv_pipe_pending_count(uv()) : 0;
    return Napi::Number::New(info.Env(), n);
  }

  Napi::Value PendingType(const Napi::CallbackInfo& info) {
    uv_handle_type t = UV_UNKNOWN_HANDLE;
    if (handle_ != nullptr && uv()->ipc && uv_pipe_pending_count(uv()) > 0) {
      t = uv_pipe_pending_type(uv());
    }
    return Napi::Number::New(info.Env(), t);
  }
};

UVKIT_INIT(Pipe, PipeWrap::Init);
