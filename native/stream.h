// The stream layer shared by TCP, Pipe and TTY: reads, writes tried on the
// socket before a request is queued, listen, accept, connect and shutdown.
// Buffers and requests come from the data path (native/datapath.h); handle
// passing over IPC pipes is the Pipe wrap's (native/pipe.cc).
#pragma once

#include <vector>

#include "datapath.h"

// 0 if `fd` can become a stream of type `want` (UV_TCP or UV_NAMED_PIPE),
// else a libuv error. libuv aborts the process when epoll later refuses an
// fd it was given (regular files, /dev/null), so open() checks first.
int CheckStreamFd(int fd, uv_handle_type want);

// The base of the TCP, Pipe and TTY wraps (each a HandleWrap<T, U,
// StreamWrap>): the stream methods of lib/stream.ts.
class StreamWrap : public HandleBase {
 public:
  // The stream methods followed by the type's own, for HandleWrap::Define.
  template <class T>
  static std::vector<typename Napi::ObjectWrap<T>::PropertyDescriptor> Methods(
      std::vector<typename Napi::ObjectWrap<T>::PropertyDescriptor> own) {
    using W = Napi::ObjectWrap<T>;
    own.insert(own.begin(), {
                                W::InstanceMethod("listen", &T::Listen),
                                W::InstanceMethod("accept", &T::Accept),
                                W::InstanceMethod("readStart", &T::ReadStart),
                                W::InstanceMethod("readStop", &T::ReadStop),
                                W::InstanceMethod("readRedeliver", &T::ReadRedeliver),
                                W::InstanceMethod("readStartInto", &T::ReadStartInto),
                                W::InstanceMethod("tryWrite", &T::TryWrite),
                                W::InstanceMethod("shutdown", &T::Shutdown),
                                W::InstanceMethod("setBlocking", &T::SetBlocking),
                                W::InstanceMethod("isReadable", &T::IsReadable),
                                W::InstanceMethod("isWritable", &T::IsWritable),
                                W::InstanceMethod("writeQueueSize", &T::WriteQueueSize),
                            });
    return own;
  }

  // listen(backlog)
  void Listen(const Napi::CallbackInfo& info);
  // accept(nativeClient): an empty handle of the type being accepted, on
  // the same loop.
  void Accept(const Napi::CallbackInfo& info);
  void ReadStart(const Napi::CallbackInfo& info);
  void ReadStop(const Napi::CallbackInfo& info);
  // readRedeliver(): queues the entry that delivers the reads lib/ kept
  // while reading was stopped (lib/stream.ts _stalled).
  void ReadRedeliver(const Napi::CallbackInfo& info);
  // readStartInto(uint8Array, restart): reads land in the caller's buffer
  // (startRead with options.buffer, lib/stream.ts). restart false only
  // changes the buffer of the next read (the function form, called after
  // each read while reading goes on).
  void ReadStartInto(const Napi::CallbackInfo& info);
  // write(id, data, hasCallback): binding.write (native/handle.cc)
  void Write(const Napi::CallbackInfo& info) override;
  StreamWrap* AsStream() override { return this; }
  // tryWrite(data) -> bytes written
  Napi::Value TryWrite(const Napi::CallbackInfo& info);
  void Shutdown(const Napi::CallbackInfo& info);
  void SetBlocking(const Napi::CallbackInfo& info);
  Napi::Value IsReadable(const Napi::CallbackInfo& info);
  Napi::Value IsWritable(const Napi::CallbackInfo& info);
  Napi::Value WriteQueueSize(const Napi::CallbackInfo& info);

 protected:
  StreamWrap() = default;
  ~StreamWrap() override { DropReadInto(); }
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(handle_); }

  // Whether the fd the caller gave (open(fd)) is still theirs; see pipe.cc.
  virtual bool UserFdValid() { return true; }
  // The type of handle accept() fills: the stream's own, or on an IPC pipe
  // the type of the handle received.
  virtual uv_handle_type AcceptType() { return handle_->type; }
  // Drops the caller's read buffer; a type that overrides Closing calls this.
  // Batched writes go out before the stream closes (or is adopted by a TLS).
  void Closing() override {
    DropReadInto();
    SendBatchedFirst();
  }

  // Writes `bufs` (with a carrier: uv_write2, native/pipe.cc): without a
  // carrier they are first tried on the socket and only the remainder is
  // copied into a queued request. With no callback, a write sent at once
  // allocates nothing; with one, a request (maybe of zero bytes) still
  // carries the callback. Returns 0 or the error of a write that did not
  // start (the caller throws it or reports it).
  int WriteBufs(datapath::Bufs& bufs, bool hasCallback, uv_pipe_t* carrier);

  // Takes `data`, what the read callback returned (lib/stream.ts: a write
  // made without a callback inside it, held until it returned): a
  // Uint8Array or an array of them, copied into the loop's PollBatch;
  // anything else sends nothing. A failure goes to onUnclaimed, as a later
  // failure of such a write does (SendBatched).
  void WriteHeld(napi_value data);
  // Sends this stream's batched writes, before anything the stream does.
  void SendBatchedFirst() {
    if (batched_ > 0) loop()->pollBatch().Send(this);
  }
  // One batched write, from the PollBatch.
  void SendBatched(const char* data, size_t len);
  friend class PollBatch;
  int batched_ = 0;  // writes of this stream in the loop's PollBatch

  // Starts a connect request made by the type's connect(); the owner stays
  // pinned until the callback.
  void ConnectStarted(int r, uv_connect_t* req);
  // A second connect would overwrite libuv's pending one, and a listening
  // socket's watcher cannot take a connect result: refuse both.
  bool CanConnect();
  static void OnConnect(uv_connect_t* req, int status);

 private:
  static void OnAlloc(uv_handle_t* h, size_t, uv_buf_t* buf);
  static void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);
  static void OnConnection(uv_stream_t* s, int status);
  static void OnShutdown(uv_shutdown_t* req, int status);

  bool bulkRead_ = false;  // the last read filled the slab (see OnAlloc)
  bool largeReads_ = false;  // the last read was larger than the small read pool takes

  // Reading into a caller's buffer (ReadStartInto): libuv gets these
  // callbacks instead of OnAlloc/OnRead, and readInto_ holds the buffer (a
  // Uint8Array) strongly while it reads into it.
  static void OnAllocInto(uv_handle_t* h, size_t, uv_buf_t* buf);
  static void OnReadInto(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  napi_ref readInto_ = nullptr;  // a napi_ref: 16 bytes less than a Napi::Reference
  void DropReadInto() {
    if (readInto_ == nullptr) return;
    napi_delete_reference(env_, readInto_);
    readInto_ = nullptr;
  }
};
