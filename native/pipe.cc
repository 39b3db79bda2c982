#include <errno.h>
#include <sys/stat.h>

#include "stream.h"

class PipeWrap : public StreamWrap<PipeWrap, uv_pipe_t> {
 public:
  using StreamWrap::StreamWrap;
  static constexpr const char* kInitSyscall = "uv_pipe_init";
  // info[2]: ipc
  static int InitHandle(LoopWrap* loop, uv_pipe_t* h, const Napi::CallbackInfo& info) {
    return uv_pipe_init(loop->uv(), h, info[2].ToBoolean() ? 1 : 0);
  }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("Pipe", DefineStream(env, "Pipe",
                                     {
                                         InstanceMethod<&PipeWrap::Bind>("bind"),
                                         InstanceMethod<&PipeWrap::Connect>("connect"),
                                         InstanceMethod<&PipeWrap::Open>("open"),
                                         InstanceMethod<&PipeWrap::PendingInstances>(
                                             "pendingInstances"),
                                         InstanceMethod<&PipeWrap::Chmod>("chmod"),
                                         InstanceMethod<&PipeWrap::GetSockName>("getsockname"),
                                         InstanceMethod<&PipeWrap::GetPeerName>("getpeername"),
                                         InstanceMethod<&PipeWrap::PendingType>(
                                             "pendingHandleType"),
                                     }));
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
                             stream::OnConnect);
    ConnectStarted(r, req);
  }

  void Open(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int fd = info[0].As<Napi::Number>().Int32Value();
    int r = CheckStreamFd(fd, UV_NAMED_PIPE);
    if (r == 0) r = uv_pipe_open(uv(), fd);
    if (r != 0) Throw(r, "open");
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
    if (r == 0) r = uv_pipe_getsockname(uv(), name, &len);
    if (r == 0) {
      name[len] = '\0';  // an abstract or unbound name is "" here: ENOENT
      r = chmod(name, mode) == 0 ? 0 : -errno;
    }
    if (r != 0) Throw(r, "chmod");
  }

  Napi::Value Name(const Napi::CallbackInfo& info, bool peer) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return env.Undefined();
    char buf[1024];
    size_t len = sizeof buf;
    int r = peer ? uv_pipe_getpeername(uv(), buf, &len) : uv_pipe_getsockname(uv(), buf, &len);
    if (r != 0) {
      Throw(r, peer ? "getpeername" : "getsockname");
      return env.Undefined();
    }
    return Napi::String::New(env, buf, len);
  }
  Napi::Value GetSockName(const Napi::CallbackInfo& info) { return Name(info, false); }
  Napi::Value GetPeerName(const Napi::CallbackInfo& info) { return Name(info, true); }

  Napi::Value PendingType(const Napi::CallbackInfo& info) {
    uv_handle_type t = UV_UNKNOWN_HANDLE;
    if (handle_ != nullptr && uv()->ipc && uv_pipe_pending_count(uv()) > 0) {
      t = uv_pipe_pending_type(uv());
    }
    return Napi::Number::New(info.Env(), t);
  }
};

void InitPipe(Napi::Env env, Napi::Object exports) { PipeWrap::Init(env, exports); }
