// Socket addresses between lib/ and libuv: (ip, port) in, SockAddr out.
#pragma once

#include <string>

#include "handle.h"

UVKIT_CALLBACK(makeSockAddr);

// Fills `out` from a numeric IPv4 or IPv6 address (lib/address.ts has
// checked it and resolved '' and '<broadcast>'). IPv6 may carry '%scope'.
inline int ParseAddress(const std::string& ip, int port, sockaddr_storage* out) {
  if (uv_ip4_addr(ip.c_str(), port, reinterpret_cast<sockaddr_in*>(out)) == 0) return 0;
  return uv_ip6_addr(ip.c_str(), port, reinterpret_cast<sockaddr_in6*>(out));
}

// Sets the port of an IPv4 or IPv6 address, keeping the rest.
inline void SetPort(sockaddr_storage* ss, int port) {
  in_port_t p = htons(static_cast<uint16_t>(port));
  if (ss->ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(ss)->sin_port = p;
  } else {
    reinterpret_cast<sockaddr_in6*>(ss)->sin6_port = p;
  }
}

// { address, port, family, flowinfo?, scopeId? }, or null for an unknown
// family. The object is made by lib/address.ts (makeSockAddr), the one
// encoder of socket addresses, which also makes UDP senders.
inline Napi::Value AddressToJS(Napi::Env env, const sockaddr* sa) {
  char ip[INET6_ADDRSTRLEN];
  uint32_t port, family, flowinfo = 0, scopeId = 0;
  if (sa->sa_family == AF_INET) {
    const sockaddr_in* a = reinterpret_cast<const sockaddr_in*>(sa);
    uv_ip4_name(a, ip, sizeof ip);
    port = ntohs(a->sin_port);
    family = 4;
  } else if (sa->sa_family == AF_INET6) {
    const sockaddr_in6* a = reinterpret_cast<const sockaddr_in6*>(sa);
    uv_ip6_name(a, ip, sizeof ip);
    port = ntohs(a->sin6_port);
    family = 6;
    flowinfo = ntohl(a->sin6_flowinfo);
    scopeId = a->sin6_scope_id;
  } else {
    return env.Null();
  }
  napi_value argv[5], undefined, out;
  napi_create_string_utf8(env, ip, NAPI_AUTO_LENGTH, &argv[0]);
  napi_create_uint32(env, port, &argv[1]);
  napi_create_uint32(env, family, &argv[2]);
  napi_create_uint32(env, flowinfo, &argv[3]);
  napi_create_uint32(env, scopeId, &argv[4]);
  napi_get_undefined(env, &undefined);
  if (napi_call_function(env, undefined, AddonData::Get(env)->Callback(kCb_makeSockAddr), 5, argv,
                         &out) != napi_ok) {
    return env.Undefined();  // an exception is pending
  }
  return Napi::Value(env, out);
}

// getsockname()/getpeername() of an open TCP or UDP wrap: `fn` is
// uv_tcp_getsockname, uv_udp_getpeername, ...; a failure throws the wrap's
// error named `syscall`.
template <typename H>
inline Napi::Value SockName(HandleBase* self, Napi::Env env, int (*fn)(const H*, sockaddr*, int*),
                            const char* syscall) {
  sockaddr_storage ss;
  int len = sizeof ss;
  int r = fn(reinterpret_cast<const H*>(self->uvHandle()), reinterpret_cast<sockaddr*>(&ss), &len);
  if (r != 0) {
    self->Throw(r, syscall);
    return env.Undefined();
  }
  return AddressToJS(env, reinterpret_cast<sockaddr*>(&ss));
}

// 'IPv4' | 'IPv6' of a TCP or UDP wrap's socket, null while there is none.
inline Napi::Value SocketFamily(HandleBase* self, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uv_os_fd_t fd;
  sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (self->uvHandle() == nullptr || uv_fileno(self->uvHandle(), &fd) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return env.Null();
  }
  if (ss.ss_family == AF_INET) return Napi::String::New(env, "IPv4");
  if (ss.ss_family == AF_INET6) return Napi::String::New(env, "IPv6");
  return env.Null();
}
