// The stream layer shared by TCP, Pipe and TTY: reading into one slab per
// thread, writes tried on the socket before a request is queued, listen,
// accept, shutdown and IPC handle passing.
#pragma once

#include <string>

#include "datapath.h"

// 0 if `fd` can become a stream of type `want` (UV_TCP or UV_NAMED_PIPE),
// else a libuv error. libuv aborts the process when epoll later refuses an
// fd it was given (regular files, /dev/null), so open() checks first.
int CheckStreamFd(int fd, uv_handle_type want);

namespace stream {

// Reads go into the thread's slab (native/datapath.h) and are copied out.
// A stream whose last read filled the slab is in a bulk transfer: its next
// read goes straight into a new 64 KiB Buffer that is handed to JavaScript
// without a copy when at least half full (the copy was ~20% of a bulk
// receiver's CPU).
void Alloc(uv_handle_t* h, bool bulk, uv_buf_t* buf);
// `bulk` (null at teardown) is the stream's flag, updated per read.
void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf, bool* bulk);

// Where a stream callback's HandleBase is; null while the loop is torn down.
inline HandleBase* Wrap(uv_handle_t* h) { return static_cast<HandleBase*>(h->data); }

void OnWrite(uv_write_t* req, int status);
void OnConnection(uv_stream_t* s, int status);
void OnConnect(uv_connect_t* req, int status);
void OnShutdown(uv_shutdown_t* req, int status);
// Makes the carrier for a sent handle; returns a libuv error or 0.
int MakeCarrier(uv_loop_t* loop, uv_handle_t* sent, uv_pipe_t** out);

}  // namespace stream

// The stream methods, added to a TCP/Pipe/TTY class by DefineStream().
template <class T, class U>
class StreamWrap : public HandleWrap<T, U> {
 public:
  using HandleWrap<T, U>::HandleWrap;

 protected:
  using Base = HandleWrap<T, U>;
  using W = Napi::ObjectWrap<T>;
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(this->handle_); }

  bool bulkRead_ = false;  // the last read filled the slab (see stream::Alloc)
  static StreamWrap* Self(uv_handle_t* h) {
    HandleBase* w = stream::Wrap(h);
    return w != nullptr ? static_cast<StreamWrap*>(static_cast<T*>(w)) : nullptr;
  }
  static void AllocCb(uv_handle_t* h, size_t, uv_buf_t* buf) {
    StreamWrap* self = Self(h);
    stream::Alloc(h, self != nullptr && self->bulkRead_, buf);
  }
  static void ReadCb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
    StreamWrap* self = Self(reinterpret_cast<uv_handle_t*>(s));
    // A stream opened on a caller's fd that the caller has closed since
    // (pipe.cc): the read fails with EBADF instead of going on.
    if (self != nullptr && nread > 0 && !static_cast<T*>(self)->UserFdValid()) nread = UV_EBADF;
    stream::OnRead(s, nread, buf, self != nullptr ? &self->bulkRead_ : nullptr);
  }

 public:
  // Whether the fd the caller gave (open(fd)) is still theirs; see pipe.cc.
  bool UserFdValid() { return true; }

 protected:

  static Napi::Function DefineStream(Napi::Env env, const char* name,
                                     std::vector<typename W::PropertyDescriptor> own) {
    std::vector<typename W::PropertyDescriptor> props = {
        W::InstanceMethod("listen", &T::Listen),
        W::InstanceMethod("accept", &T::Accept),
        W::InstanceMethod("readStart", &T::ReadStart),
        W::InstanceMethod("readStop", &T::ReadStop),
        W::InstanceMethod("write", &T::Write),
        W::InstanceMethod("tryWrite", &T::TryWrite),
        W::InstanceMethod("shutdown", &T::Shutdown),
        W::InstanceMethod("setBlocking", &T::SetBlocking),
        W::InstanceMethod("isReadable", &T::IsReadable),
        W::InstanceMethod("isWritable", &T::IsWritable),
        W::InstanceMethod("writeQueueSize", &T::WriteQueueSize),
    };
    props.insert(props.end(), own.begin(), own.end());
    return Base::Define(env, name, props);
  }

  // listen(backlog)
  void Listen(const Napi::CallbackInfo& info) {
    if (!this->IsOpen(info.Env())) return;
    int r = uv_listen(stream(), info[0].As<Napi::Number>().Int32Value(), stream::OnConnection);
    if (r != 0) return this->Throw(r, "listen");
    this->Changed();
  }

  // accept(nativeClient): the client must be an empty handle of the type
  // being accepted, on the same loop.
  void Accept(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!this->IsOpen(env)) return;
    HandleBase* client = HandleBase::FromValue(env, info[0]);
    if (client == nullptr || client->uvHandle() == nullptr || uv_is_closing(client->uvHandle())) {
      Napi::TypeError::New(env, "client must be an open TCP, Pipe or UDP handle")
          .ThrowAsJavaScriptException();
      return;
    }
    uv_handle_type want = this->handle_->type;
    if (want == UV_TTY) return this->Throw(UV_EINVAL, "accept");  // never a server
    if (want == UV_NAMED_PIPE && reinterpret_cast<uv_pipe_t*>(this->handle_)->ipc &&
        uv_pipe_pending_count(reinterpret_cast<uv_pipe_t*>(this->handle_)) > 0) {
      want = uv_pipe_pending_type(reinterpret_cast<uv_pipe_t*>(this->handle_));
    }
    uv_handle_t* c = client->uvHandle();
    if (c->type != want || (want != UV_TCP && want != UV_NAMED_PIPE && want != UV_UDP)) {
      std::string msg = std::string("client must be an empty ") +
                        (want == UV_TCP ? "TCP" : want == UV_UDP ? "UDP" : "Pipe") +
                        " handle to accept this connection";
      Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
      return;
    }
    if (c->loop != this->handle_->loop) {  // libuv asserts on this
      Napi::TypeError::New(env, "client must belong to the server's loop")
          .ThrowAsJavaScriptException();
      return;
    }
    int r = uv_accept(stream(), reinterpret_cast<uv_stream_t*>(c));
    if (r != 0) return this->Throw(r, "accept");
    client->Changed();
  }

  void ReadStart(const Napi::CallbackInfo& info) {
    if (!this->IsOpen(info.Env())) return;
    int r = uv_read_start(stream(), AllocCb, ReadCb);
    // Already reading: lib/ has just replaced the callback.
    if (r != 0 && r != UV_EALREADY) return this->Throw(r, "read");
    this->Changed();
  }

  void ReadStop(const Napi::CallbackInfo& info) {
    if (!this->IsOpen(info.Env())) return;
    uv_read_stop(stream());
    this->Changed();
  }

  // write(data, hasCallback, sendHandle?): the data is first tried on the
  // socket; only the remainder is copied into a queued request. With no
  // callback, a write sent at once allocates nothing; with one, a request
  // (maybe of zero bytes) still carries the callback.
  void Write(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!this->IsOpen(env)) return;
    datapath::Bufs bufs;
    if (!bufs.Gather(env, info[0])) return;
    bool hasCallback = info[1].ToBoolean();
    uv_pipe_t* carrier = nullptr;
    if (info.Length() > 2 && !info[2].IsUndefined()) {
      if (!Carrier(env, info[2], &carrier)) return;
    } else {
      int r = uv_try_write(stream(), bufs.list, bufs.n);
      if (r >= 0 && static_cast<size_t>(r) == bufs.total && !hasCallback) return;
      if (r > 0) bufs.Advance(r);
      // EAGAIN or a failure: uv_write queues the rest or reports the error.
    }
    datapath::Request* w = datapath::Request::New(bufs, hasCallback);
    w->carrier = carrier;
    uv_buf_t owned = w->buf();
    int r = carrier != nullptr
                ? uv_write2(&w->uv.write, stream(), &owned, 1,
                            reinterpret_cast<uv_stream_t*>(carrier), stream::OnWrite)
                : uv_write(&w->uv.write, stream(), &owned, 1, stream::OnWrite);
    if (r != 0) {
      w->Free();
      return this->Throw(r, "write");
    }
    this->RequestStarted();
    this->Changed();
  }

  // tryWrite(data, sendHandle?) -> bytes written. A handle is sent with the
  // first byte or not at all (uv_try_write2).
  Napi::Value TryWrite(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!this->IsOpen(env)) return env.Undefined();
    datapath::Bufs bufs;
    if (!bufs.Gather(env, info[0])) return env.Undefined();
    uv_pipe_t* carrier = nullptr;
    if (info.Length() > 1 && !info[1].IsUndefined() && !Carrier(env, info[1], &carrier)) {
      return env.Undefined();
    }
    int r = uv_try_write2(stream(), bufs.list, bufs.n, reinterpret_cast<uv_stream_t*>(carrier));
    if (carrier != nullptr) datapath::CloseCarrier(carrier);
    if (r < 0) {
      this->Throw(r, "write");
      return env.Undefined();
    }
    return Napi::Number::New(env, r);
  }

  // The carrier of a handle sent over this stream (write, tryWrite): false
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
    if (this->handle_->type != UV_NAMED_PIPE || !reinterpret_cast<uv_pipe_t*>(this->handle_)->ipc) {
      this->Throw(UV_EINVAL, "write");  // libuv's answer for a non-IPC stream
      return false;
    }
    int r = stream::MakeCarrier(this->handle_->loop, h, carrier);
    if (r != 0) {
      this->Throw(r, "write");
      return false;
    }
    return true;
  }

  void Shutdown(const Napi::CallbackInfo& info) {
    if (!this->IsOpen(info.Env())) return;
    uv_shutdown_t* req = new uv_shutdown_t;
    int r = uv_shutdown(req, stream(), stream::OnShutdown);
    if (r != 0) {
      delete req;
      return this->Throw(r, "shutdown");
    }
    this->RequestStarted();
    this->Changed();
  }

  void SetBlocking(const Napi::CallbackInfo& info) {
    if (!this->IsOpen(info.Env())) return;
    int r = uv_stream_set_blocking(stream(), info[0].ToBoolean() ? 1 : 0);
    if (r != 0) this->Throw(r, "uv_stream_set_blocking");
  }

  Napi::Value IsReadable(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), this->handle_ != nullptr && uv_is_readable(stream()));
  }

  Napi::Value IsWritable(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), this->handle_ != nullptr && uv_is_writable(stream()));
  }

  Napi::Value WriteQueueSize(const Napi::CallbackInfo& info) {
    return Napi::Number::New(
        info.Env(),
        this->handle_ != nullptr ? static_cast<double>(uv_stream_get_write_queue_size(stream())) : 0);
  }

  // Starts a connect request made by the type's connect(); the owner stays
  // pinned until the callback.
  void ConnectStarted(int r, uv_connect_t* req) {
    if (r != 0) {
      delete req;
      return this->Throw(r, "connect");
    }
    this->RequestStarted();
    this->Changed();
  }

  // A second connect would overwrite libuv's pending one, and a listening
  // socket's watcher cannot take a connect result: refuse both.
  bool CanConnect() {
    if (stream()->connect_req != nullptr) {
      this->Throw(UV_EALREADY, "connect");
      return false;
    }
    if (stream()->connection_cb != nullptr) {
      this->Throw(UV_EISCONN, "connect");
      return false;
    }
    return true;
  }
};
