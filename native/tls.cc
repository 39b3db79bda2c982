// TLS over a connected TCP or Pipe, all native: the TLS wrap takes over the
// transport's uv stream (HandleBase::Adopt), reads its ciphertext with
// callbacks of its own into the engine (native/tls_engine.h), hands the
// plaintext to JavaScript through the ordinary read entry point (onRead,
// as lib/stream.ts expects it), and writes what the engine produces with
// plain uv_write requests. No JavaScript runs per record.
//
// The glue's only ties to the stream layer are the uv_stream_t itself and
// the entry points onRead, onWrite and onShutdown with their meaning in
// lib/stream.ts (write callbacks in order; an unclaimed failed write is
// reported with a second argument `true`).
#include <cstring>
#include <deque>
#include <memory>

#include "handle.h"
#include "tls_context.h"
#include "tls_engine.h"

UVKIT_CALLBACK(onHandshake);
UVKIT_CALLBACK(onServername);
UVKIT_CALLBACK(onRead);
UVKIT_CALLBACK(onWrite);
UVKIT_CALLBACK(onUnclaimed);
UVKIT_CALLBACK(onShutdown);

namespace {

constexpr size_t kChunk = 64 * 1024;
thread_local std::unique_ptr<char[]> cipherSlab;  // transport reads, fed to the engine at once
thread_local std::unique_ptr<char[]> plainSlab;   // decrypted, copied into a Buffer at once

char* Slab(std::unique_ptr<char[]>& slab) {
  if (!slab) slab.reset(new char[kChunk]);
  return slab.get();
}

// Ciphertext on its way to the transport, the bytes owned by the request.
// `plain`: the plaintext bytes it carries (writeQueueSize); `user`: it
// carries a write() (its callback, if any, runs when it is done).
struct CipherWrite {
  uv_write_t req;
  size_t plain;
  bool user;
  bool hasCallback;
  char* bytes() { return reinterpret_cast<char*>(this + 1); }
};

// A write() made before the handshake completed, sent once it has.
struct HeldWrite {
  std::string bytes;
  bool hasCallback;
};

napi_value Null(napi_env env) {
  napi_value v;
  napi_get_null(env, &v);
  return v;
}

// The Uint8Arrays of lib/'s data (one, or an array of them).
bool Gather(Napi::Env env, Napi::Value data, std::vector<std::pair<const char*, size_t>>* parts,
            size_t* total) {
  auto one = [&](Napi::Value v) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) return false;
    Napi::Uint8Array a = v.As<Napi::Uint8Array>();
    parts->emplace_back(reinterpret_cast<const char*>(a.Data()), a.ByteLength());
    *total += a.ByteLength();
    return true;
  };
  bool ok = true;
  if (data.IsArray()) {
    Napi::Array list = data.As<Napi::Array>();
    for (uint32_t i = 0; ok && i < list.Length(); i++) ok = one(list.Get(i));
  } else {
    ok = one(data);
  }
  if (!ok) Napi::TypeError::New(env, "data must be a Uint8Array or an array of them").ThrowAsJavaScriptException();
  return ok;
}

// Whether libuv holds write requests of the stream, queued or done with
// their callbacks still to run (unix: both queues are in uv_stream_t; a
// queue is empty when its head points to itself). Their callbacks would
// reach the TLS, which did not make them.
bool QueueEmpty(const void* head) { return *static_cast<void* const*>(head) == head; }
bool WritesPending(uv_stream_t* s) {
  return !QueueEmpty(&s->write_queue) || !QueueEmpty(&s->write_completed_queue);
}

}  // namespace

class TLSWrap : public Napi::ObjectWrap<TLSWrap>, public HandleBase, public TLSEngine::Listener {
 public:
  // (loop, owner, transport, context, isServer, servername?, rejectUnauthorized,
  // session?, hasSNICallback); lib/tls.ts has checked the types.
  explicit TLSWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TLSWrap>(info) {
    Napi::Env env = info.Env();
    env_ = env;
    HandleBase* from = HandleBase::FromValue(env, info[2]);
    uv_handle_t* h = from != nullptr ? from->uvHandle() : nullptr;
    SSL_CTX* ctx = ContextFromValue(env, info[3]);
    if (h == nullptr || uv_is_closing(h) || (h->type != UV_TCP && h->type != UV_NAMED_PIPE) ||
        ctx == nullptr) {
      Napi::TypeError::New(env, "transport must be an open TCP or Pipe, context a TLSContext")
          .ThrowAsJavaScriptException();
      return;
    }
    uv_stream_t* s = reinterpret_cast<uv_stream_t*>(h);
    int r = 0;
    if (s->connection_cb != nullptr) {
      r = UV_EINVAL;  // a listening server
    } else if (s->connect_req != nullptr || !uv_is_readable(s) || !uv_is_writable(s)) {
      r = UV_ENOTCONN;
    } else if (WritesPending(s) || s->shutdown_req != nullptr) {
      r = UV_EBUSY;  // its pending callbacks belong to the transport's owner
    }
    if (r != 0) {
      napi_throw(env, MakeUVError(env, info[1], r, "TLS"));
      return;
    }
    engine_.reset(new TLSEngine(ctx, info[4].ToBoolean(), this));
    if (engine_->ssl() == nullptr) {
      napi_value err = MakeTLSError(env, info[1], TakeOpenSSLError("SSL_new failed"), UV_ENOMEM);
      if (err != nullptr) napi_throw(env, err);
      return;
    }
    if (info[5].IsString()) engine_->SetServername(info[5].As<Napi::String>().Utf8Value());
    rejectUnauthorized_ = info[6].ToBoolean();
    if (info[7].IsTypedArray()) {
      Napi::Uint8Array der = info[7].As<Napi::Uint8Array>();
      if (!engine_->SetSession(der.Data(), der.ByteLength())) {
        Napi::TypeError e = Napi::TypeError::New(env, "The argument 'session' is invalid. Received a Buffer that is not a TLS session");
        e.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_VALUE"));
        e.ThrowAsJavaScriptException();
        return;
      }
    }
    hasSNICallback_ = info[8].ToBoolean();
    uv_read_stop(s);  // the engine reads from here on
    Adopt(info, from);
    pump_ = static_cast<Pump*>(malloc(sizeof(Pump)));
    uv_idle_init(loop_->uv(), &pump_->idle);
    pump_->idle.data = nullptr;  // internal: loop walks skip it
    pump_->self = this;
  }

  ~TLSWrap() override { ClosePump(); }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("TLS", DefineClass(env, "TLS",
                                   {
                                       InstanceMethod("close", &TLSWrap::Close),
                                       InstanceMethod("isActive", &TLSWrap::IsActive),
                                       InstanceMethod("hasRef", &TLSWrap::HasRef),
                                       InstanceMethod("setRef", &TLSWrap::SetRef),
                                       InstanceMethod("fileno", &TLSWrap::Fileno),
                                       InstanceMethod("bufferSize", &TLSWrap::BufferSize),
                                       InstanceMethod("listen", &TLSWrap::Listen),
                                       InstanceMethod("accept", &TLSWrap::Accept),
                                       InstanceMethod("readStart", &TLSWrap::ReadStart),
                                       InstanceMethod("readStop", &TLSWrap::ReadStop),
                                       InstanceMethod("write", &TLSWrap::Write),
                                       InstanceMethod("tryWrite", &TLSWrap::TryWrite),
                                       InstanceMethod("shutdown", &TLSWrap::Shutdown),
                                       InstanceMethod("setBlocking", &TLSWrap::SetBlocking),
                                       InstanceMethod("isReadable", &TLSWrap::IsReadable),
                                       InstanceMethod("isWritable", &TLSWrap::IsWritable),
                                       InstanceMethod("writeQueueSize", &TLSWrap::WriteQueueSize),
                                       InstanceMethod("handshake", &TLSWrap::Handshake),
                                       InstanceMethod("info", &TLSWrap::Info),
                                       InstanceMethod("getCipher", &TLSWrap::GetCipher),
                                       InstanceMethod("getPeerCertificate", &TLSWrap::GetPeerCertificate),
                                       InstanceMethod("getSession", &TLSWrap::GetSession),
                                   }));
  }

  // The servername callback of a server's handshake (SNICallback).
  SSL_CTX* OnServername(const char* name, bool* ok) override {
    if (!hasSNICallback_) return nullptr;
    napi_env env = env_;
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value arg, result = nullptr;
    napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &arg);
    napi_async_context ctx = context_.get();
    SSL_CTX* chosen = nullptr;
    if (loop_->CallJS(loop_->addon()->Callback(kCb_onServername), owner(), 1, &arg,
                      ctx != nullptr ? ctx : loop_->asyncContext(), &result)) {
      if (result != nullptr) chosen = ContextFromValue(env, Napi::Value(env, result));
    } else {
      *ok = false;  // it threw: the exception goes to the loop, the handshake fails
    }
    napi_close_handle_scope(env, scope);
    return chosen;
  }

 private:
  enum class State { kIdle, kHandshaking, kOpen, kFailed };
  struct Pump {
    uv_idle_t idle;
    TLSWrap* self;
  };

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(handle_); }
  bool Closed() { return handle_ == nullptr || uv_is_closing(handle_); }
  static TLSWrap* Self(uv_handle_t* h) {
    HandleBase* base = static_cast<HandleBase*>(h->data);
    return base != nullptr ? static_cast<TLSWrap*>(base) : nullptr;
  }

  // ---- the cycle: ciphertext in, handshake, plaintext out ----------------

  // Runs the engine on what has arrived: advances the handshake, then gives
  // plaintext to JavaScript while it reads. JavaScript called from here may
  // do anything (write, stopRead, close), so every step re-checks.
  void Cycle() {
    if (inCycle_ || Closed()) return;
    inCycle_ = true;
    if (state_ == State::kHandshaking) AdvanceHandshake();
    if (state_ == State::kOpen && !Closed()) DeliverReads();
    UpdateReading();
    inCycle_ = false;
  }

  void AdvanceHandshake() {
    TLSEngine::Step step = engine_->Handshake();
    if (step == TLSEngine::Step::kFailed) {
      FlushCipher(0, false, false);  // the alert that tells the peer why
      return FailHandshake(MakeTLSError(env_, owner(), engine_->failure(), UV_EPROTO));
    }
    if (step == TLSEngine::Step::kWant) {
      if (FlushCipher(0, false, false) != 0 || transportEnd_ != 0) FailHandshake(Disconnected());
      return;
    }
    const TLSContextExtra* extra = ContextExtra(SSL_get_SSL_CTX(engine_->ssl()));
    bool judge = !engine_->server() || (extra != nullptr && extra->requestCert);
    bool reject = engine_->server() ? extra != nullptr && extra->rejectUnauthorized : rejectUnauthorized_;
    if (judge) {
      TLSFailure verdict = engine_->Verify();
      authorized_ = verdict.empty();
      authorizationError_ = verdict.code;
      if (reject && !authorized_) {
        engine_->Consume();  // nothing more goes to an untrusted peer
        return FailHandshake(MakeTLSError(env_, owner(), verdict, UV_EPROTO));
      }
    }
    if (FlushCipher(0, false, false) != 0) return FailHandshake(Disconnected());
    // What was held goes first, then the handshake callback (whose writes
    // follow the held ones).
    state_ = State::kOpen;
    SendHeld();
    if (shutdownPending_ && !Closed()) {
      shutdownPending_ = false;
      int r = StartShutdown();
      if (r != 0) ShutdownDone(Error(r, "shutdown"));
    }
    napi_value argv[1] = {Null(env_)};
    Call(kCb_onHandshake, 1, argv);
  }

  // The transport ended or failed before the handshake completed.
  napi_value Disconnected() {
    if (transportEnd_ != 0 && transportEnd_ != UV_EOF) return Error(transportEnd_, "read");
    TLSFailure f;
    f.code = "ECONNRESET";
    f.message = "Client network socket disconnected before secure TLS connection was established";
    return MakeTLSError(env_, owner(), f, UV_ECONNRESET);
  }

  // The handshake callback gets the error, then every held write's
  // callback and a held shutdown's; nothing held is sent.
  void FailHandshake(napi_value err) {
    if (err == nullptr) err = Error(UV_EPROTO, "handshake");  // makeTLSError itself failed
    state_ = State::kFailed;
    SetFailure(err);
    std::deque<HeldWrite> held;
    held.swap(held_);
    heldBytes_ = 0;
    bool shutdown = shutdownPending_;
    shutdownPending_ = false;
    Call(kCb_onHandshake, 1, &err);
    for (HeldWrite& w : held) {
      if (!w.hasCallback) continue;
      Call(kCb_onWrite, 1, &err);
      RequestDone();
    }
    if (shutdown) ShutdownDone(err);
  }

  void DeliverReads() {
    char* buf = Slab(plainSlab);
    while (jsReading_ && !Closed()) {
      size_t total = 0;
      while (total < kChunk && !peerEnded_ && !readFailed_) {
        size_t n;
        TLSEngine::Read r = engine_->ReadPlain(buf + total, kChunk - total, &n);
        total += n;
        if (r == TLSEngine::Read::kEnd) {
          peerEnded_ = true;
        } else if (r == TLSEngine::Read::kFailed) {
          readFailed_ = true;
          readFailure_ = engine_->failure();
        } else if (r == TLSEngine::Read::kWant) {
          break;
        }
      }
      FlushCipher(0, false, false);  // what reading produced (a key update's answer)
      napi_value argv[2] = {Null(env_), nullptr};
      if (total > 0) {
        napi_create_buffer_copy(env_, total, buf, nullptr, &argv[1]);
        // A callback that threw has stopped the loop (run() rethrows): the
        // rest comes on the next turn.
        if (!Call(kCb_onRead, 2, argv)) {
          KickPump();
          return;
        }
        continue;
      }
      if (readFailed_) {
        argv[0] = MakeTLSError(env_, owner(), readFailure_, UV_EPROTO);
      } else if (transportEnd_ != 0 && transportEnd_ != UV_EOF && !peerEnded_) {
        argv[0] = Error(transportEnd_, "read");
      } else if (!peerEnded_ && transportEnd_ == 0) {
        return;  // waiting for ciphertext
      }
      // End of the stream (close_notify, or the transport's end) or an error:
      // reading stops, as a stream's does.
      argv[1] = Null(env_);
      jsReading_ = false;
      Call(kCb_onRead, 2, argv);
      return;
    }
  }

  // Reads the transport while the handshake needs it or JavaScript reads
  // (no reading while it does not: the peer's data waits in the socket).
  void UpdateReading() {
    if (Closed()) return;
    bool want = transportEnd_ == 0 && (state_ == State::kHandshaking ||
                                       (state_ == State::kOpen && jsReading_ && !peerEnded_ && !readFailed_));
    if (want && !transportReading_) {
      transportReading_ = uv_read_start(stream(), AllocCb, ReadCb) == 0;
    } else if (!want && transportReading_) {
      uv_read_stop(stream());
      transportReading_ = false;
    }
  }

  static void AllocCb(uv_handle_t*, size_t, uv_buf_t* buf) {
    buf->base = Slab(cipherSlab);
    buf->len = kChunk;
  }

  static void ReadCb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
    TLSWrap* self = Self(reinterpret_cast<uv_handle_t*>(s));
    if (self == nullptr || nread == 0) return;
    if (nread > 0) {
      self->engine_->Feed(buf->base, static_cast<size_t>(nread));
    } else {
      self->transportEnd_ = static_cast<int>(nread);
      uv_read_stop(s);
      self->transportReading_ = false;
    }
    CallbackScope scope(self->env());
    self->Cycle();
    self->Changed();
  }

  // Runs Cycle() on the next loop iteration: for what is already buffered
  // when reading (re)starts, and for the handshake's first step, so that
  // every callback comes from the loop, never from the call that asked.
  void KickPump() {
    if (pump_ != nullptr) uv_idle_start(&pump_->idle, OnPump);
  }

  static void OnPump(uv_idle_t* h) {
    uv_idle_stop(h);
    TLSWrap* self = reinterpret_cast<Pump*>(h)->self;
    if (self == nullptr) return;
    CallbackScope scope(self->env());
    self->Cycle();
    self->Changed();
  }

  void ClosePump() {
    if (pump_ == nullptr) return;
    pump_->self = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&pump_->idle), [](uv_handle_t* h) { free(h); });
    pump_ = nullptr;
  }

  // ---- ciphertext out ------------------------------------------------------

  // Sends what the engine has produced: tried on the socket first, the
  // rest copied into a request. A request is made also when nothing is
  // left but a callback must run (write callbacks come from the loop).
  // Returns 0 or uv_write's error.
  int FlushCipher(size_t plain, bool user, bool hasCallback) {
    if (Closed()) return UV_EPIPE;
    const char* data;
    size_t length = engine_->Outgoing(&data);
    if (length == 0 && !hasCallback) return 0;
    size_t sent = 0;
    if (length > 0 && uv_stream_get_write_queue_size(stream()) == 0) {
      uv_buf_t b = uv_buf_init(const_cast<char*>(data), static_cast<unsigned>(length));
      int r = uv_try_write(stream(), &b, 1);
      if (r > 0) sent = static_cast<size_t>(r);
    }
    if (sent == length && !hasCallback) {
      engine_->Consume();
      return 0;
    }
    size_t rest = length - sent;
    CipherWrite* w = static_cast<CipherWrite*>(malloc(sizeof(CipherWrite) + rest));
    memcpy(w->bytes(), data + sent, rest);
    engine_->Consume();
    w->plain = rest > 0 ? plain : 0;
    w->user = user;
    w->hasCallback = hasCallback;
    uv_buf_t b = uv_buf_init(w->bytes(), static_cast<unsigned>(rest));
    int r = uv_write(&w->req, stream(), &b, 1, OnCipherWritten);
    if (r != 0) {
      free(w);
      return r;
    }
    queuedPlain_ += w->plain;
    RequestStarted();
    return 0;
  }

  static void OnCipherWritten(uv_write_t* req, int status) {
    CipherWrite* w = reinterpret_cast<CipherWrite*>(req);
    TLSWrap* self = Self(reinterpret_cast<uv_handle_t*>(req->handle));
    if (self != nullptr) {
      self->queuedPlain_ -= w->plain;
      CallbackScope scope(self->env());
      // As a stream's: a failed write without a callback is reported all
      // the same (unclaimed), unless close() cancelled it.
      bool unclaimed = w->user && !w->hasCallback && status != 0 && status != UV_ECANCELED;
      if (w->user && (w->hasCallback || unclaimed)) {
        napi_value err = status != 0 ? self->Error(status, "write") : Null(self->env());
        self->Call(unclaimed ? kCb_onUnclaimed : kCb_onWrite, 1, &err);
      } else if (!w->user && status != 0 && status != UV_ECANCELED && self->transportEnd_ == 0) {
        self->transportEnd_ = status;  // the handshake (or reading) ends with it
        self->Cycle();
      }
      self->RequestDone();
    }
    free(w);
  }

  // Encrypts one write() and sends it. Returns a uv error, or 1 after a TLS
  // failure (the engine's failure()).
  int SendPlain(const std::vector<std::pair<const char*, size_t>>& parts, size_t total, bool hasCallback) {
    for (const auto& p : parts) {
      if (p.second > 0 && !engine_->WritePlain(p.first, p.second)) return 1;
    }
    return FlushCipher(total, true, hasCallback);
  }

  void SendHeld() {
    while (!held_.empty() && !Closed()) {
      HeldWrite w = std::move(held_.front());
      held_.pop_front();
      heldBytes_ -= w.bytes.size();
      std::vector<std::pair<const char*, size_t>> parts{{w.bytes.data(), w.bytes.size()}};
      int r = SendPlain(parts, w.bytes.size(), w.hasCallback);
      if (r == 0) {
        if (w.hasCallback) RequestDone();  // the request made carries it now
        continue;
      }
      napi_value err = r == 1 ? MakeTLSError(env_, owner(), engine_->failure(), UV_EPROTO) : Error(r, "write");
      if (w.hasCallback) {
        Call(kCb_onWrite, 1, &err);
        RequestDone();
      }
    }
  }

  // ---- closing -------------------------------------------------------------

  void Closing() override { ClosePump(); }

  // close(): the transport closes; libuv cancels the requests in flight,
  // then this cancels what is held (a handshake in progress, writes and a
  // shutdown waiting for it), then the handle's close callback runs.
  void Close(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    Closing();
    uv_close(handle_, OnTLSClose);
    Changed();
  }

  static void OnTLSClose(uv_handle_t* h) {
    TLSWrap* self = Self(h);
    if (self != nullptr) {
      CallbackScope scope(self->env());
      self->CancelHeld();
    }
    HandleBase::OnClose(h);
  }

  void CancelHeld() {
    if (state_ == State::kHandshaking) {
      state_ = State::kFailed;
      napi_value err = Error(UV_ECANCELED, "handshake");
      SetFailure(err);
      Call(kCb_onHandshake, 1, &err);
    }
    std::deque<HeldWrite> held;
    held.swap(held_);
    heldBytes_ = 0;
    for (HeldWrite& w : held) {
      if (!w.hasCallback) continue;
      napi_value err = Error(UV_ECANCELED, "write");
      Call(kCb_onWrite, 1, &err);
      RequestDone();
    }
    if (shutdownPending_) {
      shutdownPending_ = false;
      ShutdownDone(Error(UV_ECANCELED, "shutdown"));
    }
  }

  // ---- shutdown ------------------------------------------------------------

  int StartShutdown() {
    engine_->Shutdown();  // close_notify
    int r = FlushCipher(0, false, false);
    if (r != 0) return r;
    uv_shutdown_t* req = new uv_shutdown_t;
    r = uv_shutdown(req, stream(), OnTransportShutdown);
    if (r != 0) delete req;
    return r;
  }

  static void OnTransportShutdown(uv_shutdown_t* req, int status) {
    TLSWrap* self = Self(reinterpret_cast<uv_handle_t*>(req->handle));
    delete req;
    if (self == nullptr) return;
    CallbackScope scope(self->env());
    self->ShutdownDone(status != 0 ? self->Error(status, "shutdown") : Null(self->env()));
  }

  void ShutdownDone(napi_value err) {
    Call(kCb_onShutdown, 1, &err);
    RequestDone();
  }

  // ---- the stream methods --------------------------------------------------

  void SetFailure(napi_value err) {
    if (err != nullptr) failure_ = Napi::Persistent(Napi::Value(env_, err));
  }
  void ThrowFailure(Napi::Env env) {
    if (!failure_.IsEmpty()) napi_throw(env, failure_.Value());
  }

  void Handshake(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    if (state_ != State::kIdle) return Throw(UV_EALREADY, "handshake");
    state_ = State::kHandshaking;
    KickPump();
    UpdateReading();
    Changed();
  }

  void ReadStart(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    jsReading_ = true;
    if (state_ == State::kOpen) KickPump();  // data or the end may be waiting
    UpdateReading();
    Changed();
  }

  void ReadStop(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    jsReading_ = false;
    UpdateReading();
    Changed();
  }

  // write(data, hasCallback)
  void Write(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return;
    std::vector<std::pair<const char*, size_t>> parts;
    size_t total = 0;
    if (!Gather(env, info[0], &parts, &total)) return;
    bool hasCallback = info[1].ToBoolean();
    if (state_ == State::kFailed) return ThrowFailure(env);
    if (shutdownRequested_) return Throw(UV_EPIPE, "write");
    if (state_ != State::kOpen) {
      HeldWrite w{std::string(), hasCallback};
      w.bytes.reserve(total);
      for (const auto& p : parts) w.bytes.append(p.first, p.second);
      heldBytes_ += total;
      held_.push_back(std::move(w));
      if (hasCallback) RequestStarted();
      Changed();
      return;
    }
    int r = SendPlain(parts, total, hasCallback);
    if (r == 1) {
      napi_value err = MakeTLSError(env, owner(), engine_->failure(), UV_EPROTO);
      if (err != nullptr) napi_throw(env, err);
      return;
    }
    if (r != 0) return Throw(r, "write");
    Changed();
  }

  // tryWrite(data): all of it once the handshake is done and nothing is
  // queued (it is encrypted at once; ciphertext the socket did not take is
  // queued), else EAGAIN.
  Napi::Value TryWrite(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return env.Undefined();
    std::vector<std::pair<const char*, size_t>> parts;
    size_t total = 0;
    if (!Gather(env, info[0], &parts, &total)) return env.Undefined();
    if (state_ != State::kOpen || shutdownRequested_ || queuedPlain_ > 0 ||
        uv_stream_get_write_queue_size(stream()) > 0) {
      Throw(UV_EAGAIN, "write");
      return env.Undefined();
    }
    int r = SendPlain(parts, total, false);
    if (r == 1) {
      napi_value err = MakeTLSError(env, owner(), engine_->failure(), UV_EPROTO);
      if (err != nullptr) napi_throw(env, err);
      return env.Undefined();
    }
    if (r != 0) {
      Throw(r, "write");
      return env.Undefined();
    }
    Changed();
    return Napi::Number::New(env, static_cast<double>(total));
  }

  void Shutdown(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!IsOpen(env)) return;
    if (state_ == State::kFailed) return ThrowFailure(env);
    if (shutdownRequested_) return Throw(UV_ENOTCONN, "shutdown");
    shutdownRequested_ = true;
    RequestStarted();
    if (state_ != State::kOpen) {
      shutdownPending_ = true;  // after the handshake and the writes held for it
    } else {
      int r = StartShutdown();
      if (r != 0) {
        RequestDone();
        return Throw(r, "shutdown");
      }
    }
    Changed();
  }

  void Listen(const Napi::CallbackInfo& info) {
    if (IsOpen(info.Env())) Throw(UV_ENOTSUP, "listen");
  }
  void Accept(const Napi::CallbackInfo& info) {
    if (IsOpen(info.Env())) Throw(UV_ENOTSUP, "accept");
  }

  void SetBlocking(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_stream_set_blocking(stream(), info[0].ToBoolean() ? 1 : 0);
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
  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Array a = Napi::Array::New(env, 6);
    SSL* ssl = engine_ ? engine_->ssl() : nullptr;
    bool open = ssl != nullptr && state_ == State::kOpen;
    a.Set(0u, Napi::Boolean::New(env, authorized_));
    a.Set(1u, authorizationError_.empty() ? env.Null() : Napi::String::New(env, authorizationError_));
    const unsigned char* alpn = nullptr;
    unsigned int alpnLength = 0;
    if (open) SSL_get0_alpn_selected(ssl, &alpn, &alpnLength);
    a.Set(2u, alpnLength > 0 ? Napi::Value(Napi::String::New(env, reinterpret_cast<const char*>(alpn), alpnLength))
                             : Napi::Value(Napi::Boolean::New(env, false)));
    a.Set(3u, open ? Napi::Value(Napi::String::New(env, SSL_get_version(ssl))) : env.Null());
    const char* name = nullptr;
    if (ssl != nullptr) {
      name = engine_->server() ? SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)
                               : (engine_->expectedName().empty() ? nullptr : engine_->expectedName().c_str());
    }
    a.Set(4u, name != nullptr ? Napi::Value(Napi::String::New(env, name)) : env.Null());
    a.Set(5u, Napi::Boolean::New(env, open && SSL_session_reused(ssl) == 1));
    return a;
  }

  Napi::Value GetCipher(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const SSL_CIPHER* c = engine_ && state_ == State::kOpen ? SSL_get_current_cipher(engine_->ssl()) : nullptr;
    if (c == nullptr) return env.Null();
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", SSL_CIPHER_get_name(c));
    const char* standard = SSL_CIPHER_standard_name(c);
    o.Set("standardName", standard != nullptr ? standard : SSL_CIPHER_get_name(c));
    o.Set("version", SSL_CIPHER_get_version(c));
    return o;
  }

  Napi::Value GetPeerCertificate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    X509* cert = engine_ && state_ == State::kOpen ? SSL_get1_peer_certificate(engine_->ssl()) : nullptr;
    if (cert == nullptr) return env.Null();
    CertFacts facts;
    ReadCertFacts(cert, &facts);
    X509_free(cert);
    auto names = [&](const std::vector<std::pair<std::string, std::string>>& list) {
      Napi::Object o = Napi::Object::New(env);
      for (const auto& kv : list) o.Set(kv.first, kv.second);
      return o;
    };
    Napi::Object o = Napi::Object::New(env);
    o.Set("subject", names(facts.subject));
    o.Set("issuer", names(facts.issuer));
    if (!facts.subjectaltname.empty()) o.Set("subjectaltname", facts.subjectaltname);
    o.Set("valid_from", facts.validFrom);
    o.Set("valid_to", facts.validTo);
    o.Set("fingerprint256", facts.fingerprint256);
    o.Set("raw", Napi::Buffer<char>::Copy(env, facts.raw.data(), facts.raw.size()));
    return o;
  }

  // The session to resume with (DER), once the peer has sent one that can
  // be resumed (TLS 1.3: its ticket comes after the handshake, with data).
  Napi::Value GetSession(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    SSL_SESSION* session = engine_ && state_ == State::kOpen ? SSL_get1_session(engine_->ssl()) : nullptr;
    if (session == nullptr) return env.Null();
    Napi::Value result = env.Null();
    int length = SSL_SESSION_is_resumable(session) == 1 ? i2d_SSL_SESSION(session, nullptr) : 0;
    if (length > 0) {
      Napi::Buffer<unsigned char> b = Napi::Buffer<unsigned char>::New(env, length);
      unsigned char* p = b.Data();
      i2d_SSL_SESSION(session, &p);
      result = b;
    }
    SSL_SESSION_free(session);
    return result;
  }

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

UVKIT_INIT(TLS, TLSWrap::Init);
