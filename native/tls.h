// TLS over a connected TCP or Pipe, all native: the TLS wrap takes over the
// transport's uv stream (HandleBase::Adopt), reads its ciphertext with
// callbacks of its own into the engine (native/tls_engine.h), hands the
// plaintext to JavaScript through the ordinary read entry point (onRead,
// as lib/stream.ts expects it), and writes what the engine produces with
// plain uv_write requests. No JavaScript runs per record.
//
// The glue's only ties to the stream layer are the uv_stream_t itself, the
// gatherer of the data path (datapath::Bufs) and the entry points onRead,
// onWrite and onShutdown with their meaning in lib/stream.ts (write
// callbacks in order), and onUnclaimed for a failed write without one.
//
// tls.h: the wrap; tls.cc: making it and its JavaScript methods;
// tls_pump.cc: the transport's ciphertext in and out, closing, shutdown.
#pragma once

#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "datapath.h"
#include "handle.h"
#include "tls_context.h"
#include "tls_engine.h"

// A write() made before the handshake completed, sent once it has.
struct HeldWrite {
  std::string bytes;
  bool hasCallback;
};

class TLSWrap : public Napi::ObjectWrap<TLSWrap>, public HandleBase, public TLSEngine::Listener {
 public:
  // (loop, transport, context, isServer, servername?, rejectUnauthorized,
  // session?, hasSNICallback); lib/tls.ts has checked the types.
  explicit TLSWrap(const Napi::CallbackInfo& info);

  ~TLSWrap() override { ClosePump(); }
  napi_ref OwnerRef() const override { return *this; }

  static void Init(Napi::Env env, Napi::Object exports);

  // The servername callback of a server's handshake (SNICallback).
  SSL_CTX* OnServername(const char* name, bool* ok) override;

 private:
  enum class State { kIdle, kHandshaking, kOpen, kFailed };
  struct Pump {
    uv_idle_t idle;
    TLSWrap* self;
  };

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(handle_); }
  bool Closed() { return handle_ == nullptr || uv_is_closing(handle_); }
  static napi_value Null(napi_env env) {
    napi_value v;
    napi_get_null(env, &v);
    return v;
  }
  static TLSWrap* Self(uv_handle_t* h) {
    HandleBase* base = static_cast<HandleBase*>(h->data);
    return base != nullptr ? static_cast<TLSWrap*>(base) : nullptr;
  }

  // ---- the cycle: ciphertext in, handshake, plaintext out ----------------

  // Runs the engine on what has arrived: advances the handshake, then gives
  // plaintext to JavaScript while it reads. JavaScript called from here may
  // do anything (write, stopRead, close), so every step re-checks.
  void Cycle();

  void AdvanceHandshake();

  // The transport ended or failed before the handshake completed.
  napi_value Disconnected();

  // The handshake callback gets the error, then every held write's
  // callback and a held shutdown's; nothing held is sent.
  void FailHandshake(napi_value err);

  void DeliverReads();

  // Reads the transport while the handshake needs it or JavaScript reads
  // (no reading while it does not: the peer's data waits in the socket).
  void UpdateReading();

  static void AllocCb(uv_handle_t*, size_t, uv_buf_t* buf);

  static void ReadCb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);

  // Runs Cycle() on the next loop iteration: for what is already buffered
  // when reading (re)starts, and for the handshake's first step, so that
  // every callback comes from the loop, never from the call that asked.
  void KickPump() {
    if (pump_ != nullptr) uv_idle_start(&pump_->idle, OnPump);
  }

  static void OnPump(uv_idle_t* h);

  void ClosePump();

  // ---- ciphertext out ------------------------------------------------------

  // Sends what the engine has produced: tried on the socket first, the
  // rest copied into a request. A request is made also when nothing is
  // left but a callback must run (write callbacks come from the loop).
  // Returns 0 or uv_write's error.
  int FlushCipher(size_t plain, bool user, bool hasCallback);

  static void OnCipherWritten(uv_write_t* req, int status);

  // Encrypts one write() and sends it. Returns a uv error, or 1 after a TLS
  // failure (the engine's failure()).
  int SendPlain(const datapath::Bufs& bufs, bool hasCallback);

  void SendHeld();

  // ---- closing -------------------------------------------------------------

  void Closing() override { ClosePump(); }

  // close(): the transport closes; libuv cancels the requests in flight,
  // then this cancels what is held (a handshake in progress, writes and a
  // shutdown waiting for it), then the handle's close callback runs.
  void Close(const Napi::CallbackInfo& info);

  static void OnTLSClose(uv_handle_t* h);

  void CancelHeld();

  // ---- shutdown ------------------------------------------------------------

  int StartShutdown();

  static void OnTransportShutdown(uv_shutdown_t* req, int status);

  void ShutdownDone(napi_value err);

  // ---- the stream methods --------------------------------------------------

  void SetFailure(napi_value err) {
    if (err != nullptr) failure_ = Napi::Persistent(Napi::Value(env_, err));
  }
  void ThrowFailure(Napi::Env env) {
    if (!failure_.IsEmpty()) napi_throw(env, failure_.Value());
  }

  void Handshake(const Napi::CallbackInfo& info);

  void ReadStart(const Napi::CallbackInfo& info);

  void ReadStop(const Napi::CallbackInfo& info);

  // write(id, data, hasCallback): binding.write (native/handle.cc)
  void Write(const Napi::CallbackInfo& info) override;

  // tryWrite(data): all of it once the handshake is done and nothing is
  // queued (it is encrypted at once; ciphertext the socket did not take is
  // queued), else EAGAIN.
  Napi::Value TryWrite(const Napi::CallbackInfo& info);

  void Shutdown(const Napi::CallbackInfo& info);

  void Listen(const Napi::CallbackInfo& info) {
    if (IsOpen(info.Env())) Throw(UV_ENOTSUP, "listen");
  }
  void Accept(const Napi::CallbackInfo& info) {
    if (IsOpen(info.Env())) Throw(UV_ENOTSUP, "accept");
  }

  void SetBlocking(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_stream_set_blocking(stream(), Truthy(info[0]) ? 1 : 0);
    if (r != 0) Throw(r, "uv_stream_set_blocking");
  }

  Napi::Value IsReadable(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), !Closed() && state_ != State::kFailed && uv_is_readable(stream()));
  }
  Napi::Value IsWritable(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), !Closed() && state_ != State::kFailed && !shutdownRequested_ &&
                                              uv_is_writable(stream()));
  }
  // Plaintext not yet written as ciphertext: held for the handshake, or in
  // requests not yet completed.
  Napi::Value WriteQueueSize(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(heldBytes_ + queuedPlain_));
  }

  // ---- what the connection is ----------------------------------------------

  // [authorized, authorizationError | null, alpnProtocol | false,
  //  protocol | null, servername | null, isSessionReused]
  Napi::Value Info(const Napi::CallbackInfo& info);

  Napi::Value GetCipher(const Napi::CallbackInfo& info);

  Napi::Value GetPeerCertificate(const Napi::CallbackInfo& info);

  // The session to resume with (DER), once the peer has sent one that can
  // be resumed (TLS 1.3: its ticket comes after the handshake, with data).
  Napi::Value GetSession(const Napi::CallbackInfo& info);

  std::unique_ptr<TLSEngine> engine_;
  Pump* pump_ = nullptr;
  State state_ = State::kIdle;
  bool rejectUnauthorized_ = true;
  bool hasSNICallback_ = false;
  bool inCycle_ = false;
  bool jsReading_ = false;
  bool transportReading_ = false;
  int transportEnd_ = 0;  // UV_EOF or the transport's read (or write) error
  bool peerEnded_ = false;  // close_notify received
  bool readFailed_ = false;
  TLSFailure readFailure_;
  bool shutdownRequested_ = false;
  bool shutdownPending_ = false;  // requested before the handshake completed
  bool authorized_ = false;
  std::string authorizationError_;
  Napi::Reference<Napi::Value> failure_;  // the handshake's error, thrown by later calls
  std::deque<HeldWrite> held_;
  size_t heldBytes_ = 0;
  size_t queuedPlain_ = 0;
};
