#include "stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "readpool.h"

int CheckStreamFd(int fd, uv_handle_type want) {
  struct stat st;
  if (fstat(fd, &st) != 0) return UV_EBADF;
  if (want == UV_TCP) {
    if (uv_guess_handle(fd) == UV_TCP) return 0;
    return S_ISSOCK(st.st_mode) ? UV_EINVAL : UV_ENOTSOCK;  // another kind of socket, or none
  }
  // A pipe may be anything epoll watches: a FIFO, a socket or a terminal.
  return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(fd) ? 0 : UV_EINVAL;
}

namespace stream {

static napi_env EnvOf(uv_handle_t* h) { return static_cast<LoopWrap*>(h->loop->data)->env(); }

// The Buffer that the read in progress goes into (bulk mode), else null.
static thread_local napi_ref pendingBuffer = nullptr;

void Alloc(uv_handle_t* h, bool bulk, uv_buf_t* buf) {
  if (bulk) {
    napi_env env = EnvOf(h);
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value value;
    void* data;
    bool ok = napi_create_buffer(env, datapath::kSlabSize, &data, &value) == napi_ok &&
              napi_create_reference(env, value, 1, &pendingBuffer) == napi_ok;
    napi_close_handle_scope(env, scope);
    if (ok) {
      buf->base = static_cast<char*>(data);
      buf->len = datapath::kSlabSize;
      return;
    }
    pendingBuffer = nullptr;
  }
  *buf = datapath::Slab();
}

static napi_value Null(napi_env env) {
  napi_value v;
  napi_get_null(env, &v);
  return v;
}

int MakeCarrier(uv_loop_t* loop, uv_handle_t* sent, uv_pipe_t** out) {
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

void OnWrite(uv_write_t* req, int status) {
  datapath::Request::Of(req)->Done(Wrap(reinterpret_cast<uv_handle_t*>(req->handle)), status,
                                   kCb_onWrite, "write");
}

void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf, bool* bulk) {
  napi_ref pending = pendingBuffer;  // this read went into that Buffer
  pendingBuffer = nullptr;
  HandleBase* self = Wrap(reinterpret_cast<uv_handle_t*>(s));
  if (nread == 0 || self == nullptr) {  // EAGAIN: nothing read; or teardown
    if (pending != nullptr) napi_delete_reference(EnvOf(reinterpret_cast<uv_handle_t*>(s)), pending);
    return;
  }
  napi_env env = self->env();
  CallbackScope scope(env);
  if (bulk != nullptr) *bulk = nread == static_cast<ssize_t>(datapath::kSlabSize);
  napi_value argv[4];
  size_t argc = 2;
  uint32_t offset;
  if (nread > 0) {
    argv[0] = Null(env);
    if (pending != nullptr && nread >= static_cast<ssize_t>(datapath::kSlabSize / 2)) {
      napi_get_reference_value(env, pending, &argv[1]);
      if (nread < static_cast<ssize_t>(datapath::kSlabSize)) {
        napi_create_uint32(env, static_cast<uint32_t>(nread), &argv[2]);  // lib/ takes a subarray
        argc = 3;
      }
    } else if (datapath::CopyOut(env, self->loop()->addon(), buf->base, nread, &argv[1], &offset)) {
      // (pool, offset, length): lib/ makes the Buffer view
      napi_create_uint32(env, offset, &argv[2]);
      napi_create_uint32(env, static_cast<uint32_t>(nread), &argv[3]);
      argc = 4;
    }
  } else if (nread == UV_EOF) {
    argv[0] = Null(env);  // libuv has stopped reading
    argv[1] = Null(env);
  } else {
    uv_read_stop(s);  // a read error ends reading
    argv[0] = self->Error(static_cast<int>(nread), "read");
    argv[1] = Null(env);
  }
  if (pending != nullptr) napi_delete_reference(env, pending);
  self->Call(kCb_onRead, argc, argv);
  if (nread < 0) self->Changed();  // reading has stopped
}

void OnConnection(uv_stream_t* s, int status) {
  HandleBase* self = Wrap(reinterpret_cast<uv_handle_t*>(s));
  if (self == nullptr) return;
  CallbackScope scope(self->env());
  napi_value argv[1] = {status != 0 ? self->Error(status, "listen") : Null(self->env())};
  self->Call(kCb_onConnection, 1, argv);
}

void OnConnect(uv_connect_t* req, int status) {
  HandleBase* self = Wrap(reinterpret_cast<uv_handle_t*>(req->handle));
  delete req;
  if (self == nullptr) return;
  {
    CallbackScope scope(self->env());
    napi_value argv[1] = {status != 0 ? self->Error(status, "connect") : Null(self->env())};
    self->Call(kCb_onConnect, 1, argv);
  }
  self->RequestDone();
}

void OnShutdown(uv_shutdown_t* req, int status) {
  HandleBase* self = Wrap(reinterpret_cast<uv_handle_t*>(req->handle));
  delete req;
  if (self == nullptr) return;
  {
    CallbackScope scope(self->env());
    napi_value argv[1] = {status != 0 ? self->Error(status, "shutdown") : Null(self->env())};
    self->Call(kCb_onShutdown, 1, argv);
  }
  self->RequestDone();
}

}  // namespace stream
