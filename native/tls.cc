// The TLS wrap: made over a transport, and its JavaScript methods (tls.h).
#include "tls.h"

#include "datapath.h"

UVKIT_CALLBACK(onServername);

namespace {

// Whether libuv holds write requests of the stream, queued or done with
// their callbacks still to run (unix: both queues are in uv_stream_t; a
// queue is empty when its head points to itself). Their callbacks would
// reach the TLS, which did not make them.
bool QueueEmpty(const void* head) { return *static_cast<void* const*>(head) == head; }
bool WritesPending(uv_stream_t* s) {
  return !QueueEmpty(&s->write_queue) || !QueueEmpty(&s->write_completed_queue);
}

}  // namespace

TLSWrap::TLSWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TLSWrap>(info) {
  Napi::Env env = info.Env();
  env_ = env;
  HandleBase* from = HandleBase::FromValue(env, info[1]);
  uv_handle_t* h = from != nullptr ? from->uvHandle() : nullptr;
  SSL_CTX* ctx = ContextFromValue(env, info[2]);
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
    napi_throw(env, MakeUVError(env, info.This(), r, "TLS"));
    return;
  }
  engine_.reset(new TLSEngine(ctx, Truthy(info[3]), this));
  if (engine_->ssl() == nullptr) {
    napi_value err = MakeTLSError(env, info.This(), TakeOpenSSLError("SSL_new failed"), UV_ENOMEM);
    if (err != nullptr) napi_throw(env, err);
    return;
  }
  if (info[4].IsString()) engine_->SetServername(info[4].As<Napi::String>().Utf8Value());
  rejectUnauthorized_ = Truthy(info[5]);
  if (info[6].IsTypedArray()) {
    Napi::Uint8Array der = info[6].As<Napi::Uint8Array>();
    if (!engine_->SetSession(der.Data(), der.ByteLength())) {
      Napi::TypeError e = Napi::TypeError::New(env, "The argument 'session' is invalid. Received a Buffer that is not a TLS session");
      e.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_VALUE"));
      e.ThrowAsJavaScriptException();
      return;
    }
  }
  hasSNICallback_ = Truthy(info[7]);
  uv_read_stop(s);  // the engine reads from here on
  Adopt(info, from);
  pump_ = static_cast<Pump*>(malloc(sizeof(Pump)));
  uv_idle_init(loop_->uv(), &pump_->idle);
  pump_->idle.data = nullptr;  // internal: loop walks skip it
  pump_->self = this;
}

void TLSWrap::Init(Napi::Env env, Napi::Object exports) {
  exports.Set("TLS", DefineHandleClass<TLSWrap>(env, "TLS",
                                 {
                                     InstanceMethod("close", &TLSWrap::Close),
                                     InstanceMethod("isActive", &TLSWrap::IsActive),
                                     InstanceMethod("hasRef", &TLSWrap::HasRef),
                                     InstanceMethod("setRef", &TLSWrap::SetRef),
                                     InstanceMethod("fileno", &TLSWrap::Fileno),
                                     InstanceMethod("bufferSize", &TLSWrap::BufferSize),
                                     InstanceMethod("id", &TLSWrap::Id),
                                     InstanceMethod("listen", &TLSWrap::Listen),
                                     InstanceMethod("accept", &TLSWrap::Accept),
                                     InstanceMethod("readStart", &TLSWrap::ReadStart),
                                     InstanceMethod("readStop", &TLSWrap::ReadStop),
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
                                 },
                                 false));
}

SSL_CTX* TLSWrap::OnServername(const char* name, bool* ok) {
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

void TLSWrap::Handshake(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return;
  if (state_ != State::kIdle) return Throw(UV_EALREADY, "handshake");
  state_ = State::kHandshaking;
  KickPump();
  UpdateReading();
  Changed();
}

void TLSWrap::ReadStart(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return;
  jsReading_ = true;
  if (state_ == State::kOpen) KickPump();  // data or the end may be waiting
  UpdateReading();
  Changed();
}

void TLSWrap::ReadStop(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return;
  jsReading_ = false;
  UpdateReading();
  Changed();
}

void TLSWrap::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsOpen(env)) return;
  datapath::Bufs bufs;
  if (!bufs.Gather(env, info[1])) return;
  bool hasCallback = Truthy(info[2]);
  if (state_ == State::kFailed) return ThrowFailure(env);
  if (shutdownRequested_) return Throw(UV_EPIPE, "write");
  if (state_ != State::kOpen) {
    HeldWrite w{std::string(), hasCallback};
    w.bytes.reserve(bufs.total);
    for (unsigned i = 0; i < bufs.n; i++) w.bytes.append(bufs.list[i].base, bufs.list[i].len);
    heldBytes_ += bufs.total;
    held_.push_back(std::move(w));
    if (hasCallback) RequestStarted();
    Changed();
    return;
  }
  int r = SendPlain(bufs, hasCallback);
  if (r == 1) {
    napi_value err = MakeTLSError(env, owner(), engine_->failure(), UV_EPROTO);
    if (err != nullptr) napi_throw(env, err);
    return;
  }
  if (r != 0) return Throw(r, "write");
  Changed();
}

Napi::Value TLSWrap::TryWrite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsOpen(env)) return env.Undefined();
  datapath::Bufs bufs;
  if (!bufs.Gather(env, info[0])) return env.Undefined();
  if (state_ != State::kOpen || shutdownRequested_ || queuedPlain_ > 0 ||
      uv_stream_get_write_queue_size(stream()) > 0) {
    Throw(UV_EAGAIN, "write");
    return env.Undefined();
  }
  int r = SendPlain(bufs, false);
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
  return Napi::Number::New(env, static_cast<double>(bufs.total));
}

void TLSWrap::Shutdown(const Napi::CallbackInfo& info) {
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

Napi::Value TLSWrap::Info(const Napi::CallbackInfo& info) {
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

Napi::Value TLSWrap::GetCipher(const Napi::CallbackInfo& info) {
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

Napi::Value TLSWrap::GetPeerCertificate(const Napi::CallbackInfo& info) {
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

Napi::Value TLSWrap::GetSession(const Napi::CallbackInfo& info) {
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

UVKIT_INIT(TLS, TLSWrap::Init);
