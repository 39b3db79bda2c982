// The TLS wrap's traffic with its transport (tls.h): ciphertext read into
// the engine, the handshake, plaintext out to JavaScript, ciphertext written
// out, closing and shutdown.
#include "tls.h"

UVKIT_CALLBACK(onHandshake);
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

}  // namespace

void TLSWrap::AllocCb(uv_handle_t*, size_t, uv_buf_t* buf) {
  buf->base = Slab(cipherSlab);
  buf->len = kChunk;
}

void TLSWrap::Cycle() {
  if (inCycle_ || Closed()) return;
  inCycle_ = true;
  if (state_ == State::kHandshaking) AdvanceHandshake();
  if (state_ == State::kOpen && !Closed()) DeliverReads();
  UpdateReading();
  inCycle_ = false;
}

void TLSWrap::AdvanceHandshake() {
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

napi_value TLSWrap::Disconnected() {
  if (transportEnd_ != 0 && transportEnd_ != UV_EOF) return Error(transportEnd_, "read");
  TLSFailure f;
  f.code = "ECONNRESET";
  f.message = "Client network socket disconnected before secure TLS connection was established";
  return MakeTLSError(env_, owner(), f, UV_ECONNRESET);
}

void TLSWrap::FailHandshake(napi_value err) {
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

void TLSWrap::DeliverReads() {
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

void TLSWrap::UpdateReading() {
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

void TLSWrap::ReadCb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
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

void TLSWrap::OnPump(uv_idle_t* h) {
  uv_idle_stop(h);
  TLSWrap* self = reinterpret_cast<Pump*>(h)->self;
  if (self == nullptr) return;
  CallbackScope scope(self->env());
  self->Cycle();
  self->Changed();
}

void TLSWrap::ClosePump() {
  if (pump_ == nullptr) return;
  pump_->self = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&pump_->idle), [](uv_handle_t* h) { free(h); });
  pump_ = nullptr;
}

int TLSWrap::FlushCipher(size_t plain, bool user, bool hasCallback) {
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

void TLSWrap::OnCipherWritten(uv_write_t* req, int status) {
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

int TLSWrap::SendPlain(const datapath::Bufs& bufs, bool hasCallback) {
  for (unsigned i = 0; i < bufs.n; i++) {
    if (bufs.list[i].len > 0 && !engine_->WritePlain(bufs.list[i].base, bufs.list[i].len)) return 1;
  }
  return FlushCipher(bufs.total, true, hasCallback);
}

void TLSWrap::SendHeld() {
  while (!held_.empty() && !Closed()) {
    HeldWrite w = std::move(held_.front());
    held_.pop_front();
    heldBytes_ -= w.bytes.size();
    bool encrypted = w.bytes.empty() || engine_->WritePlain(w.bytes.data(), w.bytes.size());
    int r = encrypted ? FlushCipher(w.bytes.size(), true, w.hasCallback) : 1;
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

void TLSWrap::Close(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return;
  Closing();
  uv_close(handle_, OnTLSClose);
  Changed();
}

void TLSWrap::OnTLSClose(uv_handle_t* h) {
  TLSWrap* self = Self(h);
  if (self != nullptr) {
    CallbackScope scope(self->env());
    self->CancelHeld();
  }
  HandleBase::OnClose(h);
}

void TLSWrap::CancelHeld() {
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

int TLSWrap::StartShutdown() {
  engine_->Shutdown();  // close_notify
  int r = FlushCipher(0, false, false);
  if (r != 0) return r;
  uv_shutdown_t* req = new uv_shutdown_t;
  r = uv_shutdown(req, stream(), OnTransportShutdown);
  if (r != 0) delete req;
  return r;
}

void TLSWrap::OnTransportShutdown(uv_shutdown_t* req, int status) {
  TLSWrap* self = Self(reinterpret_cast<uv_handle_t*>(req->handle));
  delete req;
  if (self == nullptr) return;
  CallbackScope scope(self->env());
  self->ShutdownDone(status != 0 ? self->Error(status, "shutdown") : Null(self->env()));
}

void TLSWrap::ShutdownDone(napi_value err) {
  Call(kCb_onShutdown, 1, &err);
  RequestDone();
}
