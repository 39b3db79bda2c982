#include "stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "readpool.h"

UVKIT_CALLBACK(onRead);
UVKIT_CALLBACK(onWrite);
UVKIT_CALLBACK(onConnection);
UVKIT_CALLBACK(onConnect);
UVKIT_CALLBACK(onShutdown);

uv_stream_t* StreamFromValue(Napi::Env env, Napi::Value value) {
  HandleBase* wrap = HandleBase::FromValue(env, value);
  if (wrap == nullptr) return nullptr;
  uv_handle_t* h = wrap->uvHandle();
  if (h == nullptr || uv_is_closing(h)) return nullptr;
  if (h->type != UV_TCP && h->type != UV_NAMED_PIPE && h->type != UV_TTY) return nullptr;
  return reinterpret_cast<uv_stream_t*>(h);
}

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

static thread_local std::unique_ptr<char[]> slab;
// The Buffer that the read in progress goes into (bulk mode), else null.
static thread_local napi_ref pendingBuffer = nullptr;

void Alloc(uv_handle_t* h, bool bulk, uv_buf_t* buf) {
  if (bulk) {
    napi_env env = EnvOf(h);
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value value;
    void* data;
    bool ok = napi_create_buffer(env, kSlabSize, &data, &value) == napi_ok &&
              napi_create_reference(env, value, 1, &pendingBuffer) == napi_ok;
    napi_close_handle_scope(env, scope);
    if (ok) {
      buf->base = static_cast<char*>(data);
      buf->len = kSlabSize;
      return;
    }
    pendingBuffer = nullptr;
  }
  if (!slab) slab.reset(new char[kSlabSize]);
  buf->base = slab.get();
  buf->len = kSlabSize;
}

bool Bufs::Gather(napi_env env, napi_value data) {
  bool isArray = false;
  napi_is_array(env, data, &isArray);
  uint32_t count = 1;
  if (isArray) {
    napi_get_array_length(env, data, &count);
    if (count > sizeof small / sizeof small[0]) {
      big.resize(count);
      list = big.data();
    }
  }
  for (uint32_t i = 0; i < count; i++) {
    napi_value item = data;
    if (isArray) napi_get_element(env, data, i, &item);
    napi_typedarray_type type;
    size_t length;
    void* base;
    if (napi_get_typedarray_info(env, item, &type, &length, &base, nullptr, nullptr) != napi_ok ||
        type != napi_uint8_array) {
      // lib/ has checked the data: only misuse of the binding lands here.
      napi_throw_type_error(env, nullptr, "data must be a Uint8Array or an array of them");
      return false;
    }
    list[i] = uv_buf_init(static_cast<char*>(base), static_cast<unsigned>(length));
    total += length;
  }
  n = count;
  return true;
}

void Bufs::Advance(size_t bytes) {
  total -= bytes;
  while (n > 0 && bytes > 0 && bytes >= list[0].len) {
    bytes -= list[0].len;
    list++;
    n--;
  }
  if (bytes > 0) {
    list[0].base += bytes;
    list[0].len -= bytes;
  }
}

WriteReq* WriteReq::New(const Bufs& bufs) {
  WriteReq* w = static_cast<WriteReq*>(malloc(sizeof(WriteReq) + bufs.total));
  w->size = bufs.total;
  char* p = w->bytes();
  for (unsigned i = 0; i < bufs.n; i++) {
    if (bufs.list[i].len == 0) continue;
    memcpy(p, bufs.list[i].base, bufs.list[i].len);
    p += bufs.list[i].len;
  }
  return w;
}

static napi_value Null(napi_env env) {
  napi_value v;
  napi_get_null(env, &v);
  return v;
}

static void FreeHandle(uv_handle_t* h) { free(h); }

void CloseCarrier(uv_pipe_t* carrier) { uv_close(reinterpret_cast<uv_handle_t*>(carrier), FreeHandle); }

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
    uv_close(reinterpret_cast<uv_handle_t*>(carrier), FreeHandle);
    return r;
  }
  *out = carrier;
  return 0;
}

void OnWrite(uv_write_t* req, int status) {
  WriteReq* w = reinterpret_cast<WriteReq*>(req);
  uv_handle_t* h = reinterpret_cast<uv_handle_t*>(req->handle);
  HandleBase* self = Wrap(h);
  napi_env env = EnvOf(h);
  // A failed write without a callback is reported all the same (lib/ calls
  // it unclaimed), unless close() cancelled it.
  bool unclaimed = !w->hasCallback && status != 0 && status != UV_ECANCELED;
  if (self != nullptr && (w->hasCallback || unclaimed)) {
    CallbackScope scope(env);
    napi_value argv[2] = {status != 0 ? self->Error(status, "write") : Null(env), nullptr};
    if (unclaimed) napi_get_boolean(env, true, &argv[1]);
    self->Call(kCb_onWrite, unclaimed ? 2 : 1, argv);
  }
  if (w->carrier != nullptr) CloseCarrier(w->carrier);
  free(w);
  if (self != nullptr) self->RequestDone();
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
  if (bulk != nullptr) *bulk = nread == static_cast<ssize_t>(kSlabSize);
  napi_value argv[4];
  size_t argc = 2;
  uint32_t offset;
  if (nread > 0) {
    argv[0] = Null(env);
    if (pending != nullptr && nread >= static_cast<ssize_t>(kSlabSize / 2)) {
      napi_get_reference_value(env, pending, &argv[1]);
      if (nread < static_cast<ssize_t>(kSlabSize)) {
        napi_create_uint32(env, static_cast<uint32_t>(nread), &argv[2]);  // lib/ takes a subarray
        argc = 3;
      }
    } else if (nread <= static_cast<ssize_t>(readpool::kMaxPooled) &&
               readpool::Copy(env, self->loop()->addon(), buf->base, nread, &argv[1], &offset)) {
      // (pool, offset, length): lib/ makes the Buffer view
      napi_create_uint32(env, offset, &argv[2]);
      napi_create_uint32(env, static_cast<uint32_t>(nread), &argv[3]);
      argc = 4;
    } else {
      void* data;
      napi_create_buffer_copy(env, nread, buf->base, &data, &argv[1]);
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
