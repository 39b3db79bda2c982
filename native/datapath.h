// The data path shared by streams (TCP, Pipe, TTY) and UDP: the receive
// slab, the copy of received bytes out to JavaScript, the gathering of
// lib/'s data into uv_buf_t lists, and the one request type of writes and
// sends, which owns the bytes it still has to send.
#pragma once

#include <vector>

#include "handle.h"

namespace datapath {

// Every receive goes into the calling thread's 64 KiB slab (streams in bulk
// mode excepted, native/stream.cc): libuv calls alloc_cb and read_cb (or
// recv_cb) back to back with no JavaScript between them, and the bytes are
// copied out before any JavaScript runs, so one slab serves every handle of
// every loop on the thread.
constexpr size_t kSlabSize = 64 * 1024;
uv_buf_t Slab();

// Copies `len` received bytes out for JavaScript, in the caller's handle
// scope: small ones into the read pool (native/readpool.h; returns true
// with *out the pool ArrayBuffer and *offset the place), others into a
// fresh Buffer (returns false, *out the Buffer). napi_create_buffer memory is freed by the GC itself; external
// buffers are not used, as Node frees those only from immediates of its own
// loop, which never run during a blocking run().
bool CopyOut(napi_env env, AddonData* addon, const char* data, size_t len, napi_value* out,
             uint32_t* offset);

// The uv_buf_t list of lib/'s data: a Uint8Array or an array of them
// (lib/validate.ts checkData has made strings Buffers). Small lists live on
// the stack; libuv copies the list itself, so it only lives for the call.
struct Bufs {
  uv_buf_t small[16];
  std::vector<uv_buf_t> big;
  uv_buf_t* list = small;
  unsigned n = 0;
  size_t total = 0;
  // False after throwing a TypeError (only misuse of the binding: lib/ has
  // checked the data).
  bool Gather(napi_env env, napi_value data);
  // Drops the first `bytes` (written by a try-write).
  void Advance(size_t bytes);
};

// A queued write or send: the uv request and the bytes it still has to
// send, copied into the request's own memory (`bytes`, right after the
// struct). Holding the caller's Buffer is not enough: its ArrayBuffer can be
// detached (transferred, structuredClone with transfer) while the request is
// queued, which frees the memory libuv would send from. Only what could not
// be sent at once is copied, so the common case copies nothing. `carrier`
// (IPC pipes, native/pipe.cc) is a private pipe on a dup of the fd being
// sent, so that the user may close the sent handle at once.
struct Request {
  union {
    uv_write_t write;
    uv_udp_send_t send;
  } uv;
  bool hasCallback;
  uv_pipe_t* carrier;
  size_t size;
  char* bytes() { return reinterpret_cast<char*>(this + 1); }
  uv_buf_t buf() { return uv_buf_init(bytes(), static_cast<unsigned>(size)); }
  // A request owning a copy of bufs' bytes.
  static Request* New(const Bufs& bufs, bool hasCallback);
  static Request* Of(uv_write_t* req) { return reinterpret_cast<Request*>(req); }
  static Request* Of(uv_udp_send_t* req) { return reinterpret_cast<Request*>(req); }
  // Frees the request (and closes its carrier) when it did not start.
  void Free();
  // Reports the completion to lib/ on `self`'s owner (self null: the handle
  // was abandoned at loop teardown, no JavaScript then): cb(err | null) for
  // a request with a callback (lib/ takes the next callback of its queue),
  // onUnclaimed(err) for a failed one without (lib/handle.ts), nothing for
  // one without a callback that succeeded or was cancelled by close(). Then
  // frees the request and lets the owner go.
  void Done(HandleBase* self, int status, const JSCallback& cb, const char* syscall);
};

// Closes and frees a carrier (see Request).
void CloseCarrier(uv_pipe_t* carrier);

}  // namespace datapath
