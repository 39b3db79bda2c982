#include <netinet/in.h>
#include <sys/socket.h>

#include "sockaddr.h"
#include "features.h"
#include "stream.h"

class TCPWrap : public HandleWrap<TCPWrap, uv_tcp_t, StreamWrap> {
 public:
  using HandleWrap::HandleWrap;
  static constexpr const char* kInitSyscall = "uv_tcp_init";
  // info[1]: 0, 4 or 6; a family creates the socket at once.
  static int InitHandle(LoopWrap* loop, uv_tcp_t* h, const Napi::CallbackInfo& info) {
    int family = info[1].As<Napi::Number>().Int32Value();
    unsigned int flags = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
    return uv_tcp_init_ex(loop->uv(), h, flags);
  }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("TCP", Define(env, "TCP", Methods<TCPWrap>(
                                    {
                                        InstanceMethod<&TCPWrap::Bind>("bind"),
                                        InstanceMethod<&TCPWrap::Connect>("connect"),
                                        InstanceMethod<&TCPWrap::Open>("open"),
                                        InstanceMethod<&TCPWrap::GetSockName>("getsockname"),
                                        InstanceMethod<&TCPWrap::GetPeerName>("getpeername"),
                                        InstanceMethod<&TCPWrap::NoDelay>("nodelay"),
                                        InstanceMethod<&TCPWrap::KeepAlive>("keepalive"),
                                        InstanceMethod<&TCPWrap::KeepAliveEx>("keepaliveEx"),
                                        InstanceMethod<&TCPWrap::SimultaneousAccepts>(
                                            "simultaneousAccepts"),
                                        InstanceMethod<&TCPWrap::CloseReset>("closeReset"),
                                        InstanceMethod<&TCPWrap::Family>("family"),
                                    })));
  }

 private:
  // bind(ip, port, flags): lib/address.ts has checked ip and port.
  void Bind(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    sockaddr_storage addr;
    int r = ParseAddress(info[0].As<Napi::String>().Utf8Value(),
                         info[1].As<Napi::Number>().Int32Value(), &addr);
    if (r == 0) {
      r = uv_tcp_bind(uv(), reinterpret_cast<sockaddr*>(&addr),
                      info[2].As<Napi::Number>().Uint32Value());
    }
    if (r != 0) Throw(r, "bind");
  }

  // connect(ip, port): the result arrives through onConnect.
  void Connect(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env()) || !CanConnect()) return;
    sockaddr_storage addr;
    int r = ParseAddress(info[0].As<Napi::String>().Utf8Value(),
                         info[1].As<Napi::Number>().Int32Value(), &addr);
    if (r != 0) return Throw(r, "connect");
    uv_connect_t* req = new uv_connect_t;
    r = uv_tcp_connect(req, uv(), reinterpret_cast<sockaddr*>(&addr), OnConnect);
    ConnectStarted(r, req);
  }

  void Open(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int fd = info[0].As<Napi::Number>().Int32Value();
    int r = CheckStreamFd(fd, UV_TCP);
    if (r == 0) r = uv_tcp_open(uv(), fd);
    if (r != 0) Throw(r, "open");
  }

  Napi::Value GetSockName(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return info.Env().Undefined();
    return SockName(this, info.Env(), uv_tcp_getsockname, "getsockname");
  }
  Napi::Value GetPeerName(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return info.Env().Undefined();
    return SockName(this, info.Env(), uv_tcp_getpeername, "getpeername");
  }

  void NoDelay(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_tcp_nodelay(uv(), Truthy(info[0]) ? 1 : 0);
    if (r != 0) Throw(r, "nodelay");
  }

  // keepalive(enable, delaySeconds): lib/ converts from ms.
  void KeepAlive(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_tcp_keepalive(uv(), Truthy(info[0]) ? 1 : 0,
                             info[1].As<Napi::Number>().Uint32Value());
    if (r != 0) Throw(r, "keepalive");
  }

  // keepaliveEx(enable, idle, interval, count), seconds; lib/ checks the
  // feature is there.
  void KeepAliveEx(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = Features::Get().tcpKeepaliveEx(uv(), Truthy(info[0]) ? 1 : 0,
                                           info[1].As<Napi::Number>().Uint32Value(),
                                           info[2].As<Napi::Number>().Uint32Value(),
                                           info[3].As<Napi::Number>().Uint32Value());
    if (r != 0) Throw(r, "keepalive");
  }

  void SimultaneousAccepts(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_tcp_simultaneous_accepts(uv(), Truthy(info[0]) ? 1 : 0);
    if (r != 0) Throw(r, "simultaneousAccepts");
  }

  // Closes with an RST: SO_LINGER 0 then the ordinary close (what
  // uv_tcp_close_reset does, through the base's close callback).
  void CloseReset(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    if (stream()->shutdown_req != nullptr) return Throw(UV_EINVAL, "uv_tcp_close_reset");
    uv_os_fd_t fd;
    if (uv_fileno(handle_, &fd) == 0) {
      struct linger l = {1, 0};
      if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) != 0) {
        return Throw(uv_translate_sys_error(errno), "uv_tcp_close_reset");
      }
    }
    Close(info);
  }

  // 'IPv4', 'IPv6', or null while there is no socket yet.
  Napi::Value Family(const Napi::CallbackInfo& info) { return SocketFamily(this, info); }

};

UVKIT_INIT(TCP, TCPWrap::Init);
