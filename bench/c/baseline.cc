// The C baseline of `npm run bench`: the same servers as the uvkit and Node
// ones, in C++ on a private libuv loop inside Node, with no JavaScript per
// event. It is the ceiling a binding can approach. Built by bench/run.js
// straight with the C++ compiler (plain N-API and the uv.h of Node's
// headers; the symbols resolve against the node binary at load time).
//
//   const b = require('./bin/baseline.node');
//   const port = b.listen('echo' | 'sink' | 'udp');   // 127.0.0.1, port 0
//   b.run();                                          // blocks for ever
#include <node_api.h>
#include <uv.h>

#include <cstdlib>
#include <cstring>

namespace {

uv_loop_t loop;
bool loopReady = false;
char slab[64 * 1024];  // one read buffer: reads are handled before the next

void Alloc(uv_handle_t*, size_t, uv_buf_t* buf) {
  buf->base = slab;
  buf->len = sizeof slab;
}

void FreeHandle(uv_handle_t* h) { free(h); }

struct WriteReq {
  uv_write_t req;
  char data[1];
};

void OnWrite(uv_write_t* req, int) { free(req); }

// Echo: try the socket first, queue a copy of what it did not take.
void OnEchoRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread < 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(s), FreeHandle);
    return;
  }
  if (nread == 0) return;
  uv_buf_t b = uv_buf_init(buf->base, static_cast<unsigned>(nread));
  int r = uv_try_write(s, &b, 1);
  if (r == nread) return;
  size_t off = r > 0 ? static_cast<size_t>(r) : 0;
  size_t rest = static_cast<size_t>(nread) - off;
  WriteReq* w = static_cast<WriteReq*>(malloc(sizeof(WriteReq) + rest));
  memcpy(w->data, buf->base + off, rest);
  uv_buf_t wb = uv_buf_init(w->data, static_cast<unsigned>(rest));
  if (uv_write(&w->req, s, &wb, 1, OnWrite) != 0) free(w);
}

void OnSinkRead(uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
  if (nread < 0) uv_close(reinterpret_cast<uv_handle_t*>(s), FreeHandle);
}

uv_read_cb readCb;

void OnConnection(uv_stream_t* server, int status) {
  if (status != 0) return;
  uv_tcp_t* c = static_cast<uv_tcp_t*>(malloc(sizeof(uv_tcp_t)));
  uv_tcp_init(&loop, c);
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(c)) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(c), FreeHandle);
    return;
  }
  uv_tcp_nodelay(c, 1);
  uv_read_start(reinterpret_cast<uv_stream_t*>(c), Alloc, readCb);
}

struct SendReq {
  uv_udp_send_t req;
  char data[1];
};

void OnUDPRecv(uv_udp_t* h, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr, unsigned) {
  if (nread < 0 || addr == nullptr) return;
  uv_buf_t b = uv_buf_init(buf->base, static_cast<unsigned>(nread));
  if (uv_udp_try_send(h, &b, 1, addr) == nread) return;
  SendReq* s = static_cast<SendReq*>(malloc(sizeof(SendReq) + nread));
  memcpy(s->data, buf->base, nread);
  b = uv_buf_init(s->data, static_cast<unsigned>(nread));
  if (uv_udp_send(&s->req, h, &b, 1, addr, [](uv_udp_send_t* r, int) { free(r); }) != 0) free(s);
}

void UDPAlloc(uv_handle_t*, size_t, uv_buf_t* buf) {
  buf->base = slab;
  buf->len = sizeof slab;
}

napi_value Throw(napi_env env, const char* what, int r) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, r != 0 ? uv_strerror(r) : "bad argument");
  napi_throw_error(env, nullptr, msg);
  return nullptr;
}

napi_value Listen(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char kind[16] = {0};
  size_t len;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], kind, sizeof kind, &len) != napi_ok) {
    return Throw(env, "listen(kind)", 0);
  }
  if (!loopReady) {
    uv_loop_init(&loop);
    loopReady = true;
  }
  sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", 0, &addr);
  sockaddr_storage bound;
  int namelen = sizeof bound;
  int r;
  if (strcmp(kind, "udp") == 0) {
    uv_udp_t* u = static_cast<uv_udp_t*>(malloc(sizeof(uv_udp_t)));
    uv_udp_init(&loop, u);
    if ((r = uv_udp_bind(u, reinterpret_cast<sockaddr*>(&addr), 0)) != 0) return Throw(env, "bind", r);
    uv_udp_recv_start(u, UDPAlloc, OnUDPRecv);
    uv_udp_getsockname(u, reinterpret_cast<sockaddr*>(&bound), &namelen);
  } else {
    if (strcmp(kind, "echo") == 0) {
      readCb = OnEchoRead;
    } else if (strcmp(kind, "sink") == 0) {
      readCb = OnSinkRead;
    } else {
      return Throw(env, "listen(kind)", 0);
    }
    uv_tcp_t* s = static_cast<uv_tcp_t*>(malloc(sizeof(uv_tcp_t)));
    uv_tcp_init(&loop, s);
    if ((r = uv_tcp_bind(s, reinterpret_cast<sockaddr*>(&addr), 0)) != 0) return Throw(env, "bind", r);
    if ((r = uv_listen(reinterpret_cast<uv_stream_t*>(s), 4096, OnConnection)) != 0) {
      return Throw(env, "listen", r);
    }
    uv_tcp_getsockname(s, reinterpret_cast<sockaddr*>(&bound), &namelen);
  }
  napi_value port;
  napi_create_int32(env, ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port), &port);
  return port;
}

napi_value Run(napi_env env, napi_callback_info) {
  if (loopReady) uv_run(&loop, UV_RUN_DEFAULT);
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"listen", nullptr, Listen, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"run", nullptr, Run, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 2, props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
