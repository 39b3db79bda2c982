// UDP: datagrams in and out. lib/udp.ts checks every argument and resolves
// '' and '<broadcast>'; data arrives here as one Uint8Array or an array of
// them (one datagram), already converted from strings.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "features.h"
#include "datapath.h"
#include "sockaddr.h"

UVKIT_CALLBACK(onUDPRecvPooled);

UVKIT_CALLBACK(onUDPRecv);
UVKIT_CALLBACK(onUDPSend);

namespace {

// One datagram of send() or trySend(): its destination (sa null: the
// connected peer) and its buffers.
struct Datagram {
  sockaddr_storage ss;
  const sockaddr* sa;
  datapath::Bufs bufs;
};

}  // namespace

class UDPWrap : public HandleWrap<UDPWrap, uv_udp_t> {
 public:
  using HandleWrap::HandleWrap;
  static constexpr const char* kInitSyscall = "uv_udp_init";
  // info[1]: 0 (no socket yet), 4 or 6 (create the socket now).
  static int InitHandle(LoopWrap* loop, uv_udp_t* h, const Napi::CallbackInfo& info) {
    int family = info[1].As<Napi::Number>().Int32Value();
    if (family == 0) return uv_udp_init(loop->uv(), h);
    return uv_udp_init_ex(loop->uv(), h, family == 6 ? AF_INET6 : AF_INET);
  }

  static void Init(Napi::Env env, Napi::Object exports) {
    AddonData* addon = AddonData::Get(env);
    void* words;
    napi_value buffer;
    // Fails only in an environment that is ending (a worker terminated while
    // it loads uvkit): no UDP class then, as no datagram could be delivered.
    if (napi_create_arraybuffer(env, kSenderWords * sizeof(uint32_t), &words, &buffer) != napi_ok) {
      return;
    }
    addon->udpSenderBuffer = Napi::Persistent(Napi::Value(env, buffer));
    addon->udpSender = static_cast<uint32_t*>(words);
    exports.Set("udpSender", buffer);
    exports.Set("udpSenderIP", Napi::Function::New<SenderIP>(env, "udpSenderIP"));
    exports.Set("udpSend", Napi::Function::New<SendById>(env, "udpSend"));
    exports.Set("UDP", Define(env, "UDP",
                              {
                                  InstanceMethod<&UDPWrap::Bind>("bind"),
                                  InstanceMethod<&UDPWrap::Connect>("connect"),
                                  InstanceMethod<&UDPWrap::GetPeerName>("getpeername"),
                                  InstanceMethod<&UDPWrap::GetSockName>("getsockname"),
                                  InstanceMethod<&UDPWrap::Open>("open"),
                                  InstanceMethod<&UDPWrap::TrySend>("trySend"),
                                  InstanceMethod<&UDPWrap::RecvStart>("recvStart"),
                                  InstanceMethod<&UDPWrap::RecvStop>("recvStop"),
                                  InstanceMethod<&UDPWrap::SetMembership>("setMembership"),
                                  InstanceMethod<&UDPWrap::SetSourceMembership>(
                                      "setSourceMembership"),
                                  InstanceMethod<&UDPWrap::UsingRecvmmsg>("usingRecvmmsg"),
                                  InstanceMethod<&UDPWrap::TrySendMany>("trySendMany"),
                                  InstanceMethod<&UDPWrap::SetMulticastInterface>(
                                      "setMulticastInterface"),
                                  InstanceMethod<&UDPWrap::SetOption>("setOption"),
                                  InstanceMethod<&UDPWrap::Family>("family"),
                                  InstanceMethod<&UDPWrap::SendQueueSize>("sendQueueSize"),
                                  InstanceMethod<&UDPWrap::SendQueueCount>("sendQueueCount"),
                              }));
  }

 private:
  // ---- libuv callbacks ----

  static void OnAlloc(uv_handle_t*, size_t, uv_buf_t* buf) { *buf = datapath::Slab(); }

  // Enters lib/ with the datagram; its sender and flags are in the
  // environment's sender words (kSender*), which lib/ reads before anything
  // else can overwrite them. Two shapes, one entry point each (lib/udp.ts):
  //   onUDPRecv(err | null, Buffer | null): a datagram in a Buffer of its
  //     own, or a receive error;
  //   onUDPRecvPooled(pool): a small one in the read pool, its place in
  //     the sender words (kSenderPoolOffset, kSenderPoolLength).
  static void OnRecv(uv_udp_t* h, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr,
                     unsigned flags) {
    if (nread == 0 && addr == nullptr) return;  // the socket had nothing more to read
    UDPWrap* self = static_cast<UDPWrap*>(static_cast<HandleBase*>(h->data));
    napi_env env = self->env();
    CallbackScope scope(env);
    AddonData* addon = self->loop()->addon();
    WriteSender(addon->udpSender, nread < 0 ? nullptr : addr, flags);
    const JSCallback* cb = &kCb_onUDPRecv;
    napi_value argv[2];
    size_t argc = 2;
    uint32_t offset;
    if (nread < 0) {
      argv[0] = self->Error(static_cast<int>(nread), "recv");
      napi_get_null(env, &argv[1]);
    } else if (datapath::CopyOut(env, addon, buf->base, nread, &argv[0], &offset)) {
      cb = &kCb_onUDPRecvPooled;
      addon->udpSender[kSenderPoolOffset] = offset;
      addon->udpSender[kSenderPoolLength] = static_cast<uint32_t>(nread);
      argc = 1;
    } else {
      argv[1] = argv[0];  // the Buffer
      napi_get_null(env, &argv[0]);
    }
    sockaddr_storage from;  // libuv's copy lives only as long as this call
    if (nread >= 0 && addr != nullptr) {
      memcpy(&from, addr, addr->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
    }
    napi_value held = nullptr;
    self->Call(*cb, argc, argv, &held);
    if (held != nullptr && nread >= 0 && addr != nullptr) {
      self->TakeHeld(held, from, addon->udpSender[kSenderHeldPort]);
    }
  }

  // The sender words: family (4, 6, or 0 for none), port, flags, flowinfo,
  // scope id, then the address in host order (IPv4: one word, IPv6: four);
  // after them the port of a held send (from lib/) and a pooled datagram's
  // offset and length.
  // lib/ keeps the ip string of the last sender and asks udpSenderIP() for a
  // new one only when the address words change: a peer usually sends many
  // datagrams in a row, and this spares inet_ntop and a string per datagram.
  enum { kSenderFamily, kSenderPort, kSenderFlags, kSenderFlowinfo, kSenderScopeId, kSenderAddress,
         kSenderHeldPort = kSenderAddress + 4, kSenderPoolOffset, kSenderPoolLength, kSenderWords };

  static void WriteSender(uint32_t* w, const sockaddr* addr, unsigned flags) {
    w[kSenderFlags] = flags;
    if (addr != nullptr && addr->sa_family == AF_INET) {
      const sockaddr_in* a4 = reinterpret_cast<const sockaddr_in*>(addr);
      w[kSenderFamily] = 4;
      w[kSenderPort] = ntohs(a4->sin_port);
      w[kSenderFlowinfo] = w[kSenderScopeId] = 0;
      w[kSenderAddress] = ntohl(a4->sin_addr.s_addr);
    } else if (addr != nullptr && addr->sa_family == AF_INET6) {
      const sockaddr_in6* a6 = reinterpret_cast<const sockaddr_in6*>(addr);
      w[kSenderFamily] = 6;
      w[kSenderPort] = ntohs(a6->sin6_port);
      w[kSenderFlowinfo] = ntohl(a6->sin6_flowinfo);
      w[kSenderScopeId] = a6->sin6_scope_id;
      const unsigned char* b = a6->sin6_addr.s6_addr;
      for (int i = 0; i < 4; i++) {
        w[kSenderAddress + i] = (uint32_t{b[4 * i]} << 24) | (uint32_t{b[4 * i + 1]} << 16) |
                                (uint32_t{b[4 * i + 2]} << 8) | b[4 * i + 3];
      }
    } else {
      w[kSenderFamily] = w[kSenderPort] = w[kSenderFlowinfo] = w[kSenderScopeId] = 0;
    }
  }

  // udpSenderIP(): the ip string of the sender words' address.
  static Napi::Value SenderIP(const Napi::CallbackInfo& info) {
    const uint32_t* w = AddonData::Get(info.Env())->udpSender;
    char name[INET6_ADDRSTRLEN];
    if (w[kSenderFamily] == 4) {
      sockaddr_in a4 = {};
      a4.sin_family = AF_INET;
      a4.sin_addr.s_addr = htonl(w[kSenderAddress]);
      uv_ip4_name(&a4, name, sizeof name);
    } else {
      sockaddr_in6 a6 = {};
      a6.sin6_family = AF_INET6;
      for (int i = 0; i < 16; i++) {
        a6.sin6_addr.s6_addr[i] = static_cast<unsigned char>(w[kSenderAddress + i / 4] >> (24 - 8 * (i % 4)));
      }
      uv_ip6_name(&a6, name, sizeof name);
    }
    return Napi::String::New(info.Env(), name);
  }

  // The last destination parsed by send() or trySend(), and the ip string it
  // was parsed from (empty: none): a peer is usually sent many datagrams in
  // a row.
  sockaddr_storage sendDest_;
  char sendIP_[64] = "";
  // connect()ed, or opened on a connected socket: held sends name an address,
  // which libuv refuses there (EISCONN) and sendmmsg would not.
  bool connected_ = false;

  static void OnSend(uv_udp_send_t* req, int status) {
    // data is null once the handle was abandoned at loop teardown.
    datapath::Request::Of(req)->Done(static_cast<HandleBase*>(req->handle->data), status,
                                     kCb_onUDPSend, "send");
  }

  // ---- helpers ----

  // (ip, port) from info[i], info[i+1]; ip null means "no address" (the
  // connected peer). Returns false after throwing.
  bool GetAddr(const Napi::CallbackInfo& info, size_t i, sockaddr_storage* ss, const sockaddr** sa,
               const char* syscall) {
    if (info[i].IsNull()) {
      *sa = nullptr;
      return true;
    }
    std::string ip = info[i].As<Napi::String>().Utf8Value();
    int r = ParseAddress(ip, info[i + 1].As<Napi::Number>().Int32Value(), ss);
    if (r != 0) {
      Throw(r, syscall);
      return false;
    }
    *sa = reinterpret_cast<const sockaddr*>(ss);
    return true;
  }

  // (ip | null, port, data) into *d. An ip equal to the last one parsed
  // reuses its address with the new port. Returns 0, the libuv error of an
  // address that does not parse (not thrown), or 1 after throwing a
  // TypeError (data that is not Uint8Arrays: misuse of the binding).
  int GetDatagram(napi_env env, napi_value ipValue, napi_value portValue, napi_value data,
                  Datagram* d) {
    char ip[sizeof sendIP_];
    size_t len;
    int32_t port = 0;
    napi_get_value_int32(env, portValue, &port);
    bool keep = false;  // a longer ip (a long IPv6 scope) is not kept
    if (napi_get_value_string_utf8(env, ipValue, ip, sizeof ip, &len) != napi_ok) {
      d->sa = nullptr;  // null: the connected peer
    } else if ((keep = len < sizeof ip - 1) && strcmp(ip, sendIP_) == 0) {
      d->ss = sendDest_;
      SetPort(&d->ss, port);
      d->sa = reinterpret_cast<const sockaddr*>(&d->ss);
    } else {
      int r = ParseAddress(keep ? std::string(ip, len) : Napi::Value(env, ipValue).As<Napi::String>().Utf8Value(),
                           port, &d->ss);
      if (r != 0) return r;
      d->sa = reinterpret_cast<const sockaddr*>(&d->ss);
      if (keep) {
        sendDest_ = d->ss;
        memcpy(sendIP_, ip, len + 1);
      }
    }
    return d->bufs.Gather(env, data) ? 0 : 1;
  }

  // Sends *d: with no callback, a datagram the socket takes at once needs no
  // request (only tried on a socket that exists: the queued path does the
  // implicit bind). EAGAIN queues it; the argument errors uv_udp_send
  // reports synchronously come through it; any other failure (EMSGSIZE,
  // EAFNOSUPPORT…), which has no callback to go to, is returned. Returns 0
  // or the error of a send that did not start.
  int SendDatagram(Datagram& d, bool hasCallback) {
    uv_os_fd_t fd;
    if (!hasCallback && uv_udp_get_send_queue_count(uv()) == 0 && uv_fileno(handle_, &fd) == 0) {
      int r = uv_udp_try_send(uv(), d.bufs.list, d.bufs.n, d.sa);
      if (r >= 0) return 0;
      if (r != UV_EAGAIN && r != UV_EINVAL && r != UV_EISCONN && r != UV_EDESTADDRREQ) return r;
    }
    datapath::Request* s = datapath::Request::New(d.bufs, hasCallback);
    uv_buf_t owned = s->buf();
    int r = uv_udp_send(&s->uv.send, uv(), &owned, 1, d.sa, OnSend);
    if (r != 0) {
      s->Free();
      return r;
    }
    RequestStarted();
    Changed();
    return 0;
  }

  // Takes what the receive callback returned: the data of a send without a
  // callback made inside it to the datagram's sender (lib/udp.ts holds it
  // until the callback returns), to `from` with the port lib/ left in the
  // sender words; anything else sends nothing. Where libuv has
  // uv_udp_try_send2 it is held for the check phase (Hold), else sent now.
  // A failure goes to onUnclaimed, as a later failure of such a send does.
  void TakeHeld(napi_value data, const sockaddr_storage& from, uint32_t port) {
    napi_env env = this->env();
    napi_valuetype type;
    if (data == nullptr || napi_typeof(env, data, &type) != napi_ok || type != napi_object) return;
    if (handle_ == nullptr || uv_is_closing(handle_)) return;
    Datagram d;
    if (!d.bufs.Gather(env, data)) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      return;
    }
    d.ss = from;
    SetPort(&d.ss, static_cast<int>(port));
    d.sa = reinterpret_cast<const sockaddr*>(&d.ss);
    if (Features::Get().udpTrySend2 != nullptr && !connected_) return Hold(d);
    int r = SendDatagram(d, false);
    if (r != 0) Unclaimed(r, "send");
  }

  // The datagrams that receive callbacks held, sent together in the check
  // phase after the poll phase (PollBatch::AddHolder), where one sendmmsg
  // (uv_udp_try_send2) puts up to kSendMany on the wire: an echo server
  // makes one system call for the datagrams of a poll phase, not one each.
  // Copies: JavaScript may change or detach the data before then. They go
  // out first, before any other send or change of the socket
  // (SendHeldFirst).
  struct HeldDatagram {
    sockaddr_storage to;
    size_t offset, len;
  };
  std::vector<HeldDatagram> held_;
  std::vector<char> heldBytes_;
  static constexpr size_t kSendMany = 20;  // libuv's most per uv_udp_try_send2
  static constexpr size_t kMaxHeld = 4 * kSendMany;

  void Hold(const Datagram& d) {
    if (held_.empty()) loop()->pollBatch().AddHolder(this);
    held_.push_back({d.ss, heldBytes_.size(), d.bufs.total});
    for (unsigned i = 0; i < d.bufs.n; i++) {
      heldBytes_.insert(heldBytes_.end(), d.bufs.list[i].base, d.bufs.list[i].base + d.bufs.list[i].len);
    }
    if (held_.size() == kMaxHeld) SendHeld();
  }

  void SendHeldFirst() {
    if (!held_.empty()) SendHeld();
  }

  // Sends the held datagrams in order: sendmmsg while libuv's queue is
  // empty, else (sends queued before them, or a full socket) queued one by
  // one behind. Failures are reported once all are out, as JavaScript may
  // send again.
  void SendHeld() override {
    std::vector<int> failed;  // allocates only on a failure
    size_t n = held_.size(), i = 0;
    uv_buf_t bufs[kSendMany];
    uv_buf_t* lists[kSendMany];
    unsigned counts[kSendMany];
    sockaddr* addrs[kSendMany];
    while (i < n && handle_ != nullptr && !uv_is_closing(handle_)) {
      if (uv_udp_get_send_queue_count(uv()) == 0) {
        size_t count = std::min(n - i, kSendMany);
        for (size_t k = 0; k < count; k++) {
          HeldDatagram& h = held_[i + k];
          bufs[k] = uv_buf_init(heldBytes_.data() + h.offset, static_cast<unsigned>(h.len));
          lists[k] = &bufs[k];
          counts[k] = 1;
          addrs[k] = reinterpret_cast<sockaddr*>(&h.to);
        }
        int r = Features::Get().udpTrySend2(uv(), static_cast<unsigned>(count), lists, counts, addrs, 0);
        if (r > 0) {
          i += r;
          continue;
        }
        if (r != UV_EAGAIN) {  // the first one failed (sendmmsg stops there)
          failed.push_back(r);
          i++;
          continue;
        }
      }
      Datagram d;
      d.ss = held_[i].to;
      d.sa = reinterpret_cast<const sockaddr*>(&d.ss);
      d.bufs.list[0] = uv_buf_init(heldBytes_.data() + held_[i].offset, static_cast<unsigned>(held_[i].len));
      d.bufs.n = 1;
      d.bufs.total = held_[i].len;
      int r = SendDatagram(d, false);
      if (r != 0) failed.push_back(r);
      i++;
    }
    held_.clear();
    if (heldBytes_.capacity() > (1 << 20)) std::vector<char>().swap(heldBytes_);
    heldBytes_.clear();
    for (int r : failed) Unclaimed(r, "send");
  }

  void Closing() override { SendHeldFirst(); }

  // ---- methods ----

  // bind(ip, port, flags)
  void Bind(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return;
    sockaddr_storage ss;
    const sockaddr* sa;
    if (!GetAddr(info, 0, &ss, &sa, "bind")) return;
    int r = uv_udp_bind(uv(), sa, info[2].As<Napi::Number>().Uint32Value());
    if (r != 0) Throw(r, "bind");
  }

  // connect(ip, port): libuv connects UDP synchronously.
  void Connect(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return;
    sockaddr_storage ss;
    const sockaddr* sa;
    if (!GetAddr(info, 0, &ss, &sa, "connect")) return;
    SendHeldFirst();
    int r = uv_udp_connect(uv(), sa);
    if (r != 0) return Throw(r, "connect");
    connected_ = true;
  }

  Napi::Value GetPeerName(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return info.Env().Undefined();
    return SockName(this, info.Env(), uv_udp_getpeername, "getpeername");
  }

  Napi::Value GetSockName(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return info.Env().Undefined();
    return SockName(this, info.Env(), uv_udp_getsockname, "getsockname");
  }

  void Open(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return;
    int r = uv_udp_open(uv(), info[0].As<Napi::Number>().Int32Value());
    if (r != 0) return Throw(r, "open");
    sockaddr_storage peer;
    int len = sizeof peer;
    connected_ = uv_udp_getpeername(uv(), reinterpret_cast<sockaddr*>(&peer), &len) == 0;
  }

  // udpSend(id, ip | null, port, data, hasCallback): a function of the
  // binding, as write (native/handle.h says why)
  static void SendById(const Napi::CallbackInfo& info) {
    HandleBase* h = ById(info);
    if (h == nullptr) return;
    if (h->type() != UV_UDP) {
      Napi::TypeError::New(info.Env(), "not a UDP handle").ThrowAsJavaScriptException();
      return;
    }
    static_cast<UDPWrap*>(h)->Send(info);
  }

  void Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return;
    SendHeldFirst();
    Datagram d;
    int r = GetDatagram(env, info[1], info[2], info[3], &d);
    if (r == 0) r = SendDatagram(d, info[4].As<Napi::Boolean>().Value());
    if (r < 0) Throw(r, "send");
  }

  // trySend(ip | null, port, data) -> bytes sent
  Napi::Value TrySend(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return env.Undefined();
    SendHeldFirst();
    Datagram d;
    int r = GetDatagram(env, info[0], info[1], info[2], &d);
    if (r != 0) {
      if (r < 0) Throw(r, "send");
      return env.Undefined();
    }
    r = uv_udp_try_send(uv(), d.bufs.list, d.bufs.n, d.sa);
    Changed();  // an implicit bind may have happened
    if (r < 0) {
      Throw(r, "send");
      return env.Undefined();
    }
    return Napi::Number::New(env, r);
  }

  void RecvStart(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_udp_recv_start(uv(), OnAlloc, OnRecv);
    // libuv says EALREADY when already receiving; the new callback simply applies.
    if (r == UV_EALREADY) r = 0;
    Changed();
    if (r != 0) Throw(r, "recvStart");
  }

  void RecvStop(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return;
    int r = uv_udp_recv_stop(uv());
    Changed();
    if (r != 0) Throw(r, "recvStop");
  }

  // setMembership(group, iface | null, membership)
  void SetMembership(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return;
    std::string group = info[0].As<Napi::String>().Utf8Value();
    std::string iface = info[1].IsNull() ? "" : info[1].As<Napi::String>().Utf8Value();
    uv_membership m = static_cast<uv_membership>(info[2].As<Napi::Number>().Int32Value());
    int r = uv_udp_set_membership(uv(), group.c_str(), info[1].IsNull() ? nullptr : iface.c_str(), m);
    if (r != 0) Throw(r, "setMembership");
  }

  // setSourceMembership(group, iface | null, source, membership)
  void SetSourceMembership(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return;
    std::string group = info[0].As<Napi::String>().Utf8Value();
    std::string iface = info[1].IsNull() ? "" : info[1].As<Napi::String>().Utf8Value();
    std::string source = info[2].As<Napi::String>().Utf8Value();
    uv_membership m = static_cast<uv_membership>(info[3].As<Napi::Number>().Int32Value());
    int r = uv_udp_set_source_membership(uv(), group.c_str(), info[1].IsNull() ? nullptr : iface.c_str(),
                                         source.c_str(), m);
    if (r != 0) Throw(r, "setSourceMembership");
  }

  Napi::Value UsingRecvmmsg(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), handle_ != nullptr && uv_udp_using_recvmmsg(uv()) != 0);
  }

  // trySendMany(ips, ports, datas) -> how many datagrams were sent, from the
  // first (uv_udp_try_send2, libuv 1.50: lib/ checks the feature and every
  // item; an ip null is the connected peer).
  Napi::Value TrySendMany(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return env.Undefined();
    SendHeldFirst();
    Napi::Array ips = info[0].As<Napi::Array>();
    Napi::Array ports = info[1].As<Napi::Array>();
    Napi::Array datas = info[2].As<Napi::Array>();
    uint32_t count = ips.Length();
    std::vector<Datagram> ds(count);
    std::vector<uv_buf_t*> bufs(count);
    std::vector<unsigned int> nbufs(count);
    std::vector<sockaddr*> addrs(count);
    for (uint32_t i = 0; i < count; i++) {
      Datagram& d = ds[i];
      Napi::Value ip = Element(ips, i);
      d.sa = nullptr;
      if (!ip.IsNull()) {
        int r = ParseAddress(ip.As<Napi::String>().Utf8Value(), Element(ports, i).As<Napi::Number>().Int32Value(), &d.ss);
        if (r != 0) {
          Throw(r, "send");
          return env.Undefined();
        }
        d.sa = reinterpret_cast<const sockaddr*>(&d.ss);
      }
      if (!d.bufs.Gather(env, Element(datas, i))) return env.Undefined();
      bufs[i] = d.bufs.list;
      nbufs[i] = d.bufs.n;
      addrs[i] = const_cast<sockaddr*>(d.sa);
    }
    uv_os_fd_t fd;
    if (uv_fileno(handle_, &fd) != 0 && addrs[0] != nullptr) {
      // libuv binds a handle without a socket on its first send, as
      // uv_udp_try_send does; uv_udp_try_send2 does not: bind as it would.
      sockaddr_storage any;
      memset(&any, 0, sizeof any);  // the wildcard address, port 0
      any.ss_family = addrs[0]->sa_family;
      int r = uv_udp_bind(uv(), reinterpret_cast<sockaddr*>(&any), 0);
      if (r != 0) {
        Throw(r, "bind");
        return env.Undefined();
      }
    }
    int r = Features::Get().udpTrySend2(uv(), count, bufs.data(), nbufs.data(), addrs.data(), 0);
    Changed();  // an implicit bind may have happened
    if (r < 0) {
      Throw(r, "send");
      return env.Undefined();
    }
    return Napi::Number::New(env, r);
  }

  // setMulticastInterface(iface | null): null means the default interface.
  void SetMulticastInterface(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return;
    SendHeldFirst();
    std::string iface = info[0].IsNull() ? "" : info[0].As<Napi::String>().Utf8Value();
    int r = uv_udp_set_multicast_interface(uv(), info[0].IsNull() ? nullptr : iface.c_str());
    if (r != 0) Throw(r, "setMulticastInterface");
  }

  enum Option { kMulticastTTL, kMulticastLoop, kBroadcast, kTTL };

  // setOption(option, value): the integer and boolean socket options.
  void SetOption(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return;
    SendHeldFirst();
    int value = info[1].As<Napi::Number>().Int32Value();
    int r;
    const char* syscall;
    switch (info[0].As<Napi::Number>().Int32Value()) {
      case kMulticastTTL:
        r = uv_udp_set_multicast_ttl(uv(), value);
        syscall = "setMulticastTTL";
        break;
      case kMulticastLoop:
        r = uv_udp_set_multicast_loop(uv(), value);
        syscall = "setMulticastLoop";
        break;
      case kBroadcast:
        r = uv_udp_set_broadcast(uv(), value);
        syscall = "setBroadcast";
        break;
      default:
        r = uv_udp_set_ttl(uv(), value);
        syscall = "setTTL";
    }
    if (r != 0) Throw(r, syscall);
  }

  // 'IPv4' | 'IPv6' of the socket, null while there is none.
  Napi::Value Family(const Napi::CallbackInfo& info) { return SocketFamily(this, info); }

  Napi::Value SendQueueSize(const Napi::CallbackInfo& info) {
    SendHeldFirst();
    return Napi::Number::New(info.Env(),
                             handle_ ? static_cast<double>(uv_udp_get_send_queue_size(uv())) : 0);
  }

  Napi::Value SendQueueCount(const Napi::CallbackInfo& info) {
    SendHeldFirst();
    return Napi::Number::New(info.Env(),
                             handle_ ? static_cast<double>(uv_udp_get_send_queue_count(uv())) : 0);
  }

};

UVKIT_INIT(UDP, UDPWrap::Init);
