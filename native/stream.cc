#include "stream.h"

#include "readpool.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

UVKIT_CALLBACK(onRead);
UVKIT_CALLBACK(onReadPooled);
UVKIT_CALLBACK(onReadSlice);
UVKIT_CALLBACK(onReadInto);
UVKIT_CALLBACK(onWrite);
UVKIT_CALLBACK(onConnection);
UVKIT_CALLBACK(onConnect);
UVKIT_CALLBACK(onShutdown);

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

// The wrap of a stream callback's handle; null while the loop is torn down.
static StreamWrap* Wrap(uv_handle_t* h) {
  return static_cast<StreamWrap*>(static_cast<HandleBase*>(h->data));
}
static StreamWrap* Wrap(uv_stream_t* s) { return Wrap(reinterpret_cast<uv_handle_t*>(s)); }

static napi_env EnvOf(uv_handle_t* h) { return static_cast<LoopWrap*>(h->loop->data)->env(); }

static napi_value Null(napi_env env) {
  napi_value v;
  napi_get_null(env, &v);
  return v;
}

// ---- reads ----

// The Buffer that the read in progress goes into (bulk mode), else null.
static thread_local napi_ref pendingBuffer = nullptr;
// Whether the read in progress goes straight into the large read pool.
static thread_local bool pooledRead = false;

void StreamWrap::OnAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  StreamWrap* self = Wrap(h);
  if (self != nullptr && self->largeReads_ && !self->bulkRead_) {
    // Reads of this stream have been larger than the small pool takes: the
    // next one goes where its bytes will be handed out, not through a copy.
    char* room = readpool::Reserve(EnvOf(h), self->loop()->addon(), datapath::kSlabSize);
    if (room != nullptr) {
      pooledRead = true;
      *buf = uv_buf_init(room, datapath::kSlabSize);
      return;
    }
  }
  if (self != nullptr && self->bulkRead_) {
    napi_env env = EnvOf(h);
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value value;
    void* data;
    bool ok = napi_create_buffer(env, datapath::kSlabSize, &data, &value) == napi_ok &&
              napi_create_reference(env, value, 1, &pendingBuffer) == napi_ok;
    napi_close_handle_scope(env, scope);
    if (ok) {
      *buf = uv_buf_init(static_cast<char*>(data), datapath::kSlabSize);
      return;
    }
    pendingBuffer = nullptr;
  }
  *buf = datapath::Slab();
}

void StreamWrap::OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  napi_ref pending = pendingBuffer;  // this read went into that Buffer
  pendingBuffer = nullptr;
  bool inPool = pooledRead;  // this read went into the large pool
  pooledRead = false;
  StreamWrap* self = Wrap(s);
  if (nread == 0 || self == nullptr) {  // EAGAIN: nothing read; or teardown
    if (pending != nullptr) napi_delete_reference(EnvOf(reinterpret_cast<uv_handle_t*>(s)), pending);
    return;
  }
  // A stream opened on a caller's fd that the caller has closed since
  // (pipe.cc): the read fails with EBADF instead of going on.
  if (nread > 0 && !self->UserFdValid()) nread = UV_EBADF;
  napi_env env = self->env();
  AddonData* addon = self->loop()->addon();
  self->bulkRead_ = nread == static_cast<ssize_t>(datapath::kSlabSize);
  if (nread > 0) self->largeReads_ = nread > static_cast<ssize_t>(readpool::kMaxSmall);
  // A bulk read that filled at least half of its Buffer is handed out as it is.
  bool bulk = pending != nullptr && nread >= static_cast<ssize_t>(datapath::kSlabSize / 2);
  // A read in a read pool joins the loop's PollBatch without a handle scope
  // or any N-API call; IPC pipes deliver at once: a read's callback accepts
  // the handles that came with it, and a later read in the batch would add
  // its own.
  readpool::Block* block = nullptr;
  uint32_t offset = 0;
  if (nread > 0 && !bulk) {
    if (inPool) {
      block = readpool::Commit(addon, nread, &offset);
    } else if (nread <= static_cast<ssize_t>(readpool::kMaxPooled)) {
      readpool::Copy(env, addon, buf->base, nread, &block, &offset);
    }
    if (block != nullptr && (s->type != UV_NAMED_PIPE || !reinterpret_cast<uv_pipe_t*>(s)->ipc) &&
        self->loop()->pollBatch().AddRead(self, block, offset, static_cast<uint32_t>(nread))) {
      if (pending != nullptr) napi_delete_reference(env, pending);
      return;
    }
  }
  CallbackScope scope(env);
  // The others have three shapes, one entry point each (lib/stream.ts):
  //   onRead(err | null, Buffer | null): a Buffer of its own; (null, null)
  //     at the end of the stream; (err, null) for an error, which ends reading;
  //   onReadPooled(pool, offset, length): a pooled read while a batch is
  //     being delivered;
  //   onReadSlice(Buffer, length): a bulk read that did not fill its Buffer.
  const JSCallback* cb = &kCb_onRead;
  napi_value argv[3];
  size_t argc = 2;
  if (nread > 0) {
    if (bulk) {
      napi_value buffer;
      napi_get_reference_value(env, pending, &buffer);
      if (nread < static_cast<ssize_t>(datapath::kSlabSize)) {
        cb = &kCb_onReadSlice;
        argv[0] = buffer;
        napi_create_uint32(env, static_cast<uint32_t>(nread), &argv[1]);
      } else {
        argv[0] = Null(env);
        argv[1] = buffer;
      }
    } else if (block != nullptr) {
      cb = &kCb_onReadPooled;
      argv[0] = readpool::Value(block);
      napi_create_uint32(env, offset, &argv[1]);
      napi_create_uint32(env, static_cast<uint32_t>(nread), &argv[2]);
      argc = 3;
    } else {
      void* copy;
      napi_create_buffer_copy(env, nread, buf->base, &copy, &argv[1]);
      argv[0] = Null(env);
    }
  } else if (nread == UV_EOF) {
    argv[0] = Null(env);  // libuv has stopped reading
    argv[1] = Null(env);
  } else {
    uv_read_stop(s);
    argv[0] = self->Error(static_cast<int>(nread), "read");
    argv[1] = Null(env);
  }
  if (pending != nullptr) napi_delete_reference(env, pending);
  napi_value held = nullptr;
  self->Call(*cb, argc, argv, &held);
  if (nread < 0) self->Changed();  // reading has stopped
  self->WriteHeld(held);
}

void StreamWrap::ReadStart(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return;
  if (stream()->read_cb == OnReadInto) uv_read_stop(stream());  // leaves the caller's buffer
  DropReadInto();
  int r = uv_read_start(stream(), OnAlloc, OnRead);
  // Already reading: lib/ has just replaced the callback.
  if (r != 0 && r != UV_EALREADY) return Throw(r, "read");
  Changed();
}

void StreamWrap::ReadRedeliver(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return;
  loop()->pollBatch().AddRedeliver(this);
}

void StreamWrap::ReadStop(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return;
  uv_read_stop(stream());
  DropReadInto();
  Changed();
}

// ---- reads into a caller's buffer ----
//
// The buffer is a Uint8Array whose ArrayBuffer may be detached or shrunk
// (a resizable one) at any time JavaScript runs, so its memory is looked up
// again for every read, in the alloc callback: libuv calls it and the read
// callback back to back with no JavaScript between them. A buffer with no
// memory left gets libuv a zero-length buffer, which libuv reports as
// UV_ENOBUFS to the read callback: an error that ends reading.

void StreamWrap::ReadStartInto(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return;
  bool restart = Truthy(info[1]);
  if (restart && !UserFdValid()) return Throw(UV_EBADF, "read");  // as Pipe's ReadStart
  DropReadInto();
  napi_create_reference(env_, info[0], 1, &readInto_);
  if (!restart) return;
  // Restarting swaps libuv's callbacks (uv_read_start refuses a second
  // start); inside a read callback libuv's read loop takes the new ones.
  uv_read_stop(stream());
  int r = uv_read_start(stream(), OnAllocInto, OnReadInto);
  if (r != 0) {
    DropReadInto();
    Changed();
    return Throw(r, "read");
  }
  Changed();
}

void StreamWrap::OnAllocInto(uv_handle_t* h, size_t, uv_buf_t* buf) {
  *buf = uv_buf_init(nullptr, 0);
  StreamWrap* self = Wrap(h);
  if (self == nullptr || self->readInto_ == nullptr) return;
  napi_env env = self->env();
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value ab;
  bool detached = true;
  // A detached or out-of-bounds view has length 0.
  napi_value view = nullptr;
  napi_get_reference_value(env, self->readInto_, &view);
  if (view != nullptr && napi_get_typedarray_info(env, view, &type, &length, &data, &ab, nullptr) == napi_ok &&
      napi_is_detached_arraybuffer(env, ab, &detached) == napi_ok && !detached && data != nullptr &&
      length > 0) {
    *buf = uv_buf_init(static_cast<char*>(data), static_cast<unsigned>(std::min<size_t>(length, 1u << 30)));
  }
  napi_close_handle_scope(env, scope);
}

void StreamWrap::OnReadInto(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  StreamWrap* self = Wrap(s);
  if (nread == 0 || self == nullptr) return;  // EAGAIN: nothing read; or teardown
  if (nread > 0 && !self->UserFdValid()) nread = UV_EBADF;  // as in OnRead
  napi_env env = self->env();
  CallbackScope scope(env);
  // onReadInto(err | null, nread): lib/ knows the buffer. (null, 0) is the
  // end of the stream, (err, 0) an error; both end reading.
  napi_value argv[2];
  if (nread > 0) {
    argv[0] = Null(env);
  } else {
    if (nread != UV_EOF) uv_read_stop(s);  // libuv has stopped at EOF
    self->DropReadInto();
    argv[0] = nread == UV_EOF ? Null(env) : self->Error(static_cast<int>(nread), "read");
  }
  napi_create_int64(env, nread > 0 ? nread : 0, &argv[1]);
  const JSCallback* cb = &kCb_onReadInto;
  if (nread > 0 && self->loop()->pollBatch().HasPollReads()) {
    // The poll phase's batched reads go to JavaScript first (CallJS), and
    // their callbacks may stop this stream, switch its form or reuse the
    // buffer: this read goes as a Buffer of its own (onRead), which lib/
    // hands to whatever form the stream reads in by then.
    void* copy;
    napi_create_buffer_copy(env, static_cast<size_t>(nread), buf->base, &copy, &argv[1]);
    cb = &kCb_onRead;
  }
  napi_value held = nullptr;
  self->Call(*cb, 2, argv, &held);
  if (nread < 0) self->Changed();  // reading has stopped
  self->WriteHeld(held);
}

// ---- writes ----

void StreamWrap::Write(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return;
  SendBatchedFirst();
  datapath::Bufs bufs;
  if (!bufs.Gather(info.Env(), info[1])) return;
  int r = WriteBufs(bufs, Truthy(info[2]), nullptr);
  if (r != 0) Throw(r, "write");
}

void StreamWrap::WriteHeld(napi_value data) {
  napi_valuetype type;
  if (data == nullptr || napi_typeof(env(), data, &type) != napi_ok || type != napi_object) return;
  datapath::Bufs bufs;
  if (!bufs.Gather(env(), data)) {
    napi_value err;
    napi_get_and_clear_last_exception(env(), &err);
    return;
  }
  if (handle_ != nullptr && !uv_is_closing(handle_)) loop()->pollBatch().Add(this, bufs);
}

void StreamWrap::SendBatched(const char* data, size_t len) {
  if (handle_ == nullptr || uv_is_closing(handle_)) return;
  datapath::Bufs bufs;
  bufs.list[0] = uv_buf_init(const_cast<char*>(data), static_cast<unsigned>(len));
  bufs.n = 1;
  bufs.total = len;
  int r = WriteBufs(bufs, false, nullptr);
  if (r != 0) Unclaimed(r, "write");
}

int StreamWrap::WriteBufs(datapath::Bufs& bufs, bool hasCallback, uv_pipe_t* carrier) {
  if (carrier == nullptr) {
    int r = uv_try_write(stream(), bufs.list, bufs.n);
    if (r >= 0 && static_cast<size_t>(r) == bufs.total && !hasCallback) return 0;
    if (r > 0) bufs.Advance(r);
    // EAGAIN or a failure: uv_write queues the rest or reports the error.
  }
  datapath::Request* w = datapath::Request::New(bufs, hasCallback);
  w->carrier = carrier;
  uv_buf_t owned = w->buf();
  int r = carrier != nullptr ? uv_write2(&w->uv.write, stream(), &owned, 1,
                                         reinterpret_cast<uv_stream_t*>(carrier), OnWrite)
                             : uv_write(&w->uv.write, stream(), &owned, 1, OnWrite);
  if (r != 0) {
    w->Free();
    return r;
  }
  RequestStarted();
  Changed();
  return 0;
}

void StreamWrap::OnWrite(uv_write_t* req, int status) {
  datapath::Request::Of(req)->Done(Wrap(req->handle), status, kCb_onWrite, "write");
}

Napi::Value StreamWrap::TryWrite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsOpen(env)) return env.Undefined();
  SendBatchedFirst();
  datapath::Bufs bufs;
  if (!bufs.Gather(env, info[0])) return env.Undefined();
  int r = uv_try_write(stream(), bufs.list, bufs.n);
  if (r < 0) {
    Throw(r, "write");
    return env.Undefined();
  }
  return Napi::Number::New(env, r);
}

// ---- connections ----

void StreamWrap::Listen(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return;
  int r = uv_listen(stream(), info[0].As<Napi::Number>().Int32Value(), OnConnection);
  if (r != 0) return Throw(r, "listen");
  Changed();
}

void StreamWrap::OnConnection(uv_stream_t* s, int status) {
  StreamWrap* self = Wrap(s);
  if (self == nullptr) return;
  CallbackScope scope(self->env());
  napi_value argv[1] = {status != 0 ? self->Error(status, "listen") : Null(self->env())};
  self->Call(kCb_onConnection, 1, argv);
}

void StreamWrap::Accept(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsOpen(env)) return;
  HandleBase* client = HandleBase::FromValue(env, info[0]);
  if (client == nullptr || client->uvHandle() == nullptr || uv_is_closing(client->uvHandle())) {
    Napi::TypeError::New(env, "client must be an open TCP, Pipe or UDP handle")
        .ThrowAsJavaScriptException();
    return;
  }
  if (handle_->type == UV_TTY) return Throw(UV_EINVAL, "accept");  // never a server
  uv_handle_type want = AcceptType();
  uv_handle_t* c = client->uvHandle();
  if (c->type != want || (want != UV_TCP && want != UV_NAMED_PIPE && want != UV_UDP)) {
    std::string msg = std::string("client must be an empty ") +
                      (want == UV_TCP ? "TCP" : want == UV_UDP ? "UDP" : "Pipe") +
                      " handle to accept this connection";
    Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
    return;
  }
  if (c->loop != handle_->loop) {  // libuv asserts on this
    Napi::TypeError::New(env, "client must belong to the server's loop").ThrowAsJavaScriptException();
    return;
  }
  int r = uv_accept(stream(), reinterpret_cast<uv_stream_t*>(c));
  if (r != 0) return Throw(r, "accept");
  client->Changed();
}

void StreamWrap::ConnectStarted(int r, uv_connect_t* req) {
  if (r != 0) {
    delete req;
    return Throw(r, "connect");
  }
  RequestStarted();
  Changed();
}

bool StreamWrap::CanConnect() {
  if (stream()->connect_req != nullptr) {
    Throw(UV_EALREADY, "connect");
    return false;
  }
  if (stream()->connection_cb != nullptr) {
    Throw(UV_EISCONN, "connect");
    return false;
  }
  return true;
}

void StreamWrap::OnConnect(uv_connect_t* req, int status) {
  StreamWrap* self = Wrap(req->handle);
  delete req;
  if (self == nullptr) return;
  {
    CallbackScope scope(self->env());
    napi_value argv[1] = {status != 0 ? self->Error(status, "connect") : Null(self->env())};
    self->Call(kCb_onConnect, 1, argv);
  }
  self->RequestDone();
}

// ---- shutdown and state ----

void StreamWrap::Shutdown(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return;
  SendBatchedFirst();
  uv_shutdown_t* req = new uv_shutdown_t;
  int r = uv_shutdown(req, stream(), OnShutdown);
  if (r != 0) {
    delete req;
    return Throw(r, "shutdown");
  }
  RequestStarted();
  Changed();
}

void StreamWrap::OnShutdown(uv_shutdown_t* req, int status) {
  StreamWrap* self = Wrap(req->handle);
  delete req;
  if (self == nullptr) return;
  {
    CallbackScope scope(self->env());
    napi_value argv[1] = {status != 0 ? self->Error(status, "shutdown") : Null(self->env())};
    self->Call(kCb_onShutdown, 1, argv);
  }
  self->RequestDone();
}

void StreamWrap::SetBlocking(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return;
  int r = uv_stream_set_blocking(stream(), Truthy(info[0]) ? 1 : 0);
  if (r != 0) Throw(r, "uv_stream_set_blocking");
}

Napi::Value StreamWrap::IsReadable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), handle_ != nullptr && uv_is_readable(stream()));
}

Napi::Value StreamWrap::IsWritable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), handle_ != nullptr && uv_is_writable(stream()));
}

Napi::Value StreamWrap::WriteQueueSize(const Napi::CallbackInfo& info) {
  SendBatchedFirst();  // none once closed
  double size = handle_ != nullptr ? static_cast<double>(uv_stream_get_write_queue_size(stream())) : 0;
  return Napi::Number::New(info.Env(), size);
}
