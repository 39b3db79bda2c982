// dns: getaddrinfo / getnameinfo in libuv's threadpool (with a callback) or
// on the calling thread (without). lib/dns.ts checks the arguments and owns
// the request object handed to the callback.
#include <netdb.h>

#include <string>

#include "loop.h"
#include "sockaddr.h"

UVKIT_CALLBACK(onDNS);

namespace {

// An asynchronous request. The lib/ request object (`owner`) is held strongly
// until libuv is done; it keeps an External to this struct for cancel(). The
// struct is freed once the request is done and the External collected, in
// whichever order those happen.
struct DnsReq {
  union {
    uv_req_t req;
    uv_getaddrinfo_t gai;
    uv_getnameinfo_t gni;
  };
  LoopWrap* loop;
  napi_ref owner;
  bool done = false;
  bool collected = false;

  void Done() {
    done = true;
    napi_delete_reference(loop->env(), owner);
    owner = nullptr;
    if (collected) delete this;
  }
  static void Finalize(napi_env, void* data, void*) {
    DnsReq* r = static_cast<DnsReq*>(data);
    r->collected = true;
    if (r->done) delete r;
  }
};

Napi::Value AddrInfoToJS(Napi::Env env, const addrinfo* res) {
  Napi::Array list = Napi::Array::New(env);
  uint32_t n = 0;
  for (const addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    Napi::Value address = AddressToJS(env, ai->ai_addr);
    if (address.IsNull()) continue;
    Napi::Object o = Napi::Object::New(env);
    o.Set("family", Napi::Number::New(env, ai->ai_family));
    o.Set("socktype", Napi::Number::New(env, ai->ai_socktype));
    o.Set("protocol", Napi::Number::New(env, ai->ai_protocol));
    o.Set("canonname",
          ai->ai_canonname ? Napi::Value(Napi::String::New(env, ai->ai_canonname)) : env.Null());
    o.Set("address", address);
    list.Set(n++, o);
  }
  return list;
}

Napi::Value NameInfoToJS(Napi::Env env, const char* host, const char* service) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("host", Napi::String::New(env, host));
  o.Set("service", Napi::String::New(env, service));
  return o;
}

// Calls lib/'s onDNS(err, result) with the request object as `this`.
void Complete(DnsReq* r, int status, const char* syscall, napi_value result) {
  napi_env env = r->loop->env();
  napi_value owner;
  napi_get_reference_value(env, r->owner, &owner);
  napi_value argv[2];
  if (status != 0) {
    argv[0] = MakeUVError(env, owner, status, syscall);
    napi_get_null(env, &argv[1]);
  } else {
    napi_get_null(env, &argv[0]);
    argv[1] = result;
  }
  r->loop->CallJS(r->loop->addon()->Callback(kCb_onDNS), owner, 2, argv, r->loop->asyncContext());
}

void OnGetAddrInfo(uv_getaddrinfo_t* req, int status, addrinfo* res) {
  DnsReq* r = reinterpret_cast<DnsReq*>(req);
  if (!r->loop->tearingDown()) {
    CallbackScope scope(r->loop->env());
    Napi::Env env(r->loop->env());
    Complete(r, status, "getaddrinfo", status == 0 ? napi_value(AddrInfoToJS(env, res)) : nullptr);
  }
  uv_freeaddrinfo(res);
  r->Done();
}

void OnGetNameInfo(uv_getnameinfo_t* req, int status, const char* host, const char* service) {
  DnsReq* r = reinterpret_cast<DnsReq*>(req);
  if (!r->loop->tearingDown()) {
    CallbackScope scope(r->loop->env());
    Complete(r, status, "getnameinfo",
             status == 0 ? napi_value(NameInfoToJS(Napi::Env(r->loop->env()), host, service)) : nullptr);
  }
  r->Done();
}

// After libuv accepted an asynchronous request (info[1] is the lib/ request
// object): pins that object and returns an External for cancel().
Napi::Value Started(const Napi::CallbackInfo& info, DnsReq* r) {
  napi_create_reference(info.Env(), info[1], 1, &r->owner);
  r->loop->Touch();
  return Napi::External<DnsReq>::New(info.Env(), r,
                                     [](Napi::Env env, DnsReq* p) { DnsReq::Finalize(env, p, nullptr); });
}

LoopWrap* GetLoop(const Napi::CallbackInfo& info) {
  LoopWrap* loop = LoopWrap::Unwrap(info[0].As<Napi::Object>());
  return loop != nullptr && loop->CheckUsable(info.Env()) ? loop : nullptr;
}

// getaddrinfo(loop, req | null, host | null, service | null, family,
//             socktype, protocol, flags)
Napi::Value GetAddrInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoopWrap* loop = GetLoop(info);
  if (loop == nullptr) return env.Undefined();
  std::string host = info[2].IsNull() ? "" : info[2].As<Napi::String>().Utf8Value();
  std::string service = info[3].IsNull() ? "" : info[3].As<Napi::String>().Utf8Value();
  addrinfo hints = {};
  hints.ai_family = info[4].As<Napi::Number>().Int32Value();
  hints.ai_socktype = info[5].As<Napi::Number>().Int32Value();
  hints.ai_protocol = info[6].As<Napi::Number>().Int32Value();
  hints.ai_flags = info[7].As<Napi::Number>().Int32Value();
  const char* node = info[2].IsNull() ? nullptr : host.c_str();
  const char* serv = info[3].IsNull() ? nullptr : service.c_str();

  if (info[1].IsNull()) {
    uv_getaddrinfo_t req;
    int r = uv_getaddrinfo(loop->uv(), &req, nullptr, node, serv, &hints);
    if (r != 0) {
      napi_throw(env, MakeUVError(env, nullptr, r, "getaddrinfo"));
      return env.Undefined();
    }
    Napi::Value result = AddrInfoToJS(env, req.addrinfo);
    uv_freeaddrinfo(req.addrinfo);
    return result;
  }
  DnsReq* r = new DnsReq;
  r->loop = loop;
  int status = uv_getaddrinfo(loop->uv(), &r->gai, OnGetAddrInfo, node, serv, &hints);
  if (status != 0) {
    delete r;
    napi_throw(env, MakeUVError(env, nullptr, status, "getaddrinfo"));
    return env.Undefined();
  }
  return Started(info, r);
}

// getnameinfo(loop, req | null, ip, port, flags)
Napi::Value GetNameInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoopWrap* loop = GetLoop(info);
  if (loop == nullptr) return env.Undefined();
  sockaddr_storage ss;
  int status = ParseAddress(info[2].As<Napi::String>().Utf8Value(),
                            info[3].As<Napi::Number>().Int32Value(), &ss);
  if (status != 0) {
    napi_throw(env, MakeUVError(env, nullptr, status, "getnameinfo"));
    return env.Undefined();
  }
  const sockaddr* sa = reinterpret_cast<const sockaddr*>(&ss);
  int flags = info[4].As<Napi::Number>().Int32Value();

  if (info[1].IsNull()) {
    uv_getnameinfo_t req;
    status = uv_getnameinfo(loop->uv(), &req, nullptr, sa, flags);
    if (status != 0) {
      napi_throw(env, MakeUVError(env, nullptr, status, "getnameinfo"));
      return env.Undefined();
    }
    return NameInfoToJS(env, req.host, req.service);
  }
  DnsReq* r = new DnsReq;
  r->loop = loop;
  status = uv_getnameinfo(loop->uv(), &r->gni, OnGetNameInfo, sa, flags);
  if (status != 0) {
    delete r;
    napi_throw(env, MakeUVError(env, nullptr, status, "getnameinfo"));
    return env.Undefined();
  }
  return Started(info, r);
}

// cancel(external) -> whether libuv cancelled the request before it ran.
Napi::Value Cancel(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) return Napi::Boolean::New(info.Env(), false);
  DnsReq* r = info[0].As<Napi::External<DnsReq>>().Data();
  bool ok = !r->done && uv_cancel(&r->req) == 0;
  return Napi::Boolean::New(info.Env(), ok);
}

}  // namespace

void InitDNS(Napi::Env env, Napi::Object exports) {
  Napi::Object dns = Napi::Object::New(env);
  dns.Set("getaddrinfo", Napi::Function::New<GetAddrInfo>(env, "getaddrinfo"));
  dns.Set("getnameinfo", Napi::Function::New<GetNameInfo>(env, "getnameinfo"));
  dns.Set("cancel", Napi::Function::New<Cancel>(env, "cancel"));
  Napi::Object c = Napi::Object::New(env);
#define SET(name) c.Set(#name, Napi::Number::New(env, name));
  SET(AF_UNSPEC) SET(AF_INET) SET(AF_INET6)
  SET(SOCK_STREAM) SET(SOCK_DGRAM) SET(SOCK_RAW)
  SET(IPPROTO_IP) SET(IPPROTO_TCP) SET(IPPROTO_UDP)
  SET(AI_PASSIVE) SET(AI_CANONNAME) SET(AI_NUMERICHOST) SET(AI_NUMERICSERV)
  SET(AI_V4MAPPED) SET(AI_ALL) SET(AI_ADDRCONFIG)
  SET(NI_NUMERICHOST) SET(NI_NUMERICSERV) SET(NI_NOFQDN) SET(NI_NAMEREQD) SET(NI_DGRAM)
#undef SET
  dns.Set("constants", c);
  exports.Set("dns", dns);
}

UVKIT_INIT(DNS, InitDNS);
