#include "tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <mutex>
#include <vector>

UVKIT_CALLBACK(makeTLSError);

// ---- TLSError --------------------------------------------------------------

napi_value MakeTLSError(napi_env env, napi_value owner, const TLSFailure& f, int errnum) {
  AddonData* addon = AddonData::Get(env);
  napi_value recv = owner;
  if (recv == nullptr) napi_get_undefined(env, &recv);
  napi_value argv[5];
  napi_create_string_utf8(env, f.code.c_str(), f.code.size(), &argv[0]);
  napi_create_string_utf8(env, f.message.c_str(), f.message.size(), &argv[1]);
  napi_create_int32(env, errnum, &argv[2]);
  napi_create_string_utf8(env, f.reason.c_str(), f.reason.size(), &argv[3]);
  napi_create_string_utf8(env, f.library.c_str(), f.library.size(), &argv[4]);
  napi_value err = nullptr;
  if (napi_call_function(env, recv, addon->Callback(kCb_makeTLSError), 5, argv, &err) != napi_ok) {
    return nullptr;
  }
  return err;
}

// ---- Node's root certificates ---------------------------------------------

// tls.rootCertificates, parsed once per process (lib/ hands them over from
// the first thread that needs them) and added to every context made
// without `ca`.
static std::mutex rootsLock;
static std::vector<X509*>* roots = nullptr;

static X509* ReadPEMCert(BIO* bio) { return PEM_read_bio_X509(bio, nullptr, nullptr, nullptr); }

static void SetRoots(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> hold(rootsLock);
  if (roots != nullptr) return;
  roots = new std::vector<X509*>();
  Napi::Array list = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); i++) {
    std::string pem = Element(list, i).As<Napi::String>().Utf8Value();
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* cert = ReadPEMCert(bio);
    BIO_free(bio);
    if (cert != nullptr) roots->push_back(cert);
  }
  ERR_clear_error();
}

// ---- context extras (ALPN, client certificate policy) ---------------------

static void FreeExtra(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<TLSContextExtra*>(ptr);
}

static int ExtraIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeExtra);
  return index;
}

const TLSContextExtra* ContextExtra(SSL_CTX* ctx) {
  return static_cast<TLSContextExtra*>(SSL_CTX_get_ex_data(ctx, ExtraIndex()));
}

// Server: the first of its protocols the client offers (server
// preference); none in common is fatal (no_application_protocol), as in
// Node.
static int SelectALPN(SSL* ssl, const unsigned char** out, unsigned char* outLength,
                      const unsigned char* in, unsigned int inLength, void*) {
  const TLSContextExtra* extra = ContextExtra(SSL_get_SSL_CTX(ssl));
  if (extra == nullptr || extra->alpn.empty()) return SSL_TLSEXT_ERR_NOACK;
  unsigned char* selected = nullptr;
  int r = SSL_select_next_proto(
      &selected, outLength, reinterpret_cast<const unsigned char*>(extra->alpn.data()),
      static_cast<unsigned int>(extra->alpn.size()), in, inLength);
  if (r != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

// The server asks for a client certificate and judges it after the
// handshake (native/tls.cc), so verification never stops the handshake
// itself (Node does the same).
static int AcceptAnyCert(int, X509_STORE_CTX*) { return 1; }

static int Passphrase(char* buf, int size, int, void* arg) {
  const std::string* pass = static_cast<const std::string*>(arg);
  if (pass == nullptr) return 0;  // never a prompt on the terminal
  int n = static_cast<int>(pass->size()) < size ? static_cast<int>(pass->size()) : size;
  memcpy(buf, pass->data(), n);
  return n;
}

// ---- TLSContext -------------------------------------------------------------

static const napi_type_tag kContextTag = {0x75766b69745f746cULL, 0x73636f6e74657874ULL};

class TLSContextWrap : public Napi::ObjectWrap<TLSContextWrap> {
 public:
  // (certs: Uint8Array[], key?, passphrase?, ca: Uint8Array[] | null
  // (null: Node's roots), ciphers?, minVersion, maxVersion, alpn? (wire
  // format), requestCert, rejectUnauthorized); lib/tls.ts has checked them.
  explicit TLSContextWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TLSContextWrap>(info) {
    Napi::Env env = info.Env();
    napi_type_tag_object(env, info.This(), &kContextTag);
    ERR_clear_error();
    ctx_ = SSL_CTX_new(TLS_method());
    if (ctx_ == nullptr) {
      Fail(env);
      return;
    }
    TLSContextExtra* extra = new TLSContextExtra();
    SSL_CTX_set_ex_data(ctx_, ExtraIndex(), extra);
    SSL_CTX_set_options(ctx_, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_session_id_context(ctx_, reinterpret_cast<const unsigned char*>("uvkit"), 5);
    SSL_CTX_set_min_proto_version(ctx_, info[5].As<Napi::Number>().Int32Value());
    SSL_CTX_set_max_proto_version(ctx_, info[6].As<Napi::Number>().Int32Value());
    TLSEngineInstallServername(ctx_);
    SSL_CTX_set_alpn_select_cb(ctx_, SelectALPN, nullptr);
    if (!LoadCerts(info[0]) || !LoadKey(info[1], info[2]) || !LoadCA(info[3]) ||
        !SetCiphers(info[4])) {
      Fail(env);
      return;
    }
    if (info[7].IsTypedArray()) {
      Napi::Uint8Array wire = info[7].As<Napi::Uint8Array>();
      extra->alpn.assign(reinterpret_cast<const char*>(wire.Data()), wire.ByteLength());
      // The client's offer (0 = success, unlike the rest of OpenSSL).
      if (SSL_CTX_set_alpn_protos(ctx_, wire.Data(), static_cast<unsigned>(wire.ByteLength())) != 0) {
        Fail(env);
        return;
      }
    }
    extra->requestCert = Truthy(info[8]);
    extra->rejectUnauthorized = Truthy(info[9]);
    if (extra->requestCert) {
      int mode = SSL_VERIFY_PEER | (extra->rejectUnauthorized ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
      SSL_CTX_set_verify(ctx_, mode, AcceptAnyCert);
    }
  }

  ~TLSContextWrap() override {
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);  // engines hold references of their own
  }

  SSL_CTX* ctx() const { return ctx_; }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("TLSContext", DefineClass(env, "TLSContext", {}));
    exports.Set("tlsSetRoots", Napi::Function::New<SetRoots>(env, "tlsSetRoots"));
  }

 private:
  void Fail(Napi::Env env) {
    TLSFailure f = TakeOpenSSLError("cannot make the TLS context");
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    ctx_ = nullptr;
    napi_value err = MakeTLSError(env, nullptr, f, UV_EINVAL);
    if (err != nullptr) napi_throw(env, err);
  }

  // Calls use(cert) for every certificate of every PEM item of `list` (an
  // array of Uint8Arrays), in order, until use returns false. False when an
  // item has no certificate (the error queue says why) or use refused one.
  template <typename Use>
  static bool ForEachPEMCert(Napi::Array list, Use use) {
    for (uint32_t i = 0; i < list.Length(); i++) {
      Napi::Uint8Array pem = Element(list, i).As<Napi::Uint8Array>();
      BIO* bio = BIO_new_mem_buf(pem.Data(), static_cast<int>(pem.ByteLength()));
      if (bio == nullptr) return false;  // no memory (or no item: see Element)
      int n = 0;
      bool ok = true;
      while (ok) {
        X509* cert = ReadPEMCert(bio);
        if (cert == nullptr) break;
        n++;
        ok = use(cert);
        X509_free(cert);
      }
      BIO_free(bio);
      if (!ok || n == 0) return false;
      ERR_clear_error();  // the end of the PEM data
    }
    return true;
  }

  // Every PEM certificate of every item, leaf first, then its chain.
  bool LoadCerts(Napi::Value value) {
    bool first = true;
    return ForEachPEMCert(value.As<Napi::Array>(), [&](X509* cert) {
      int ok = first ? SSL_CTX_use_certificate(ctx_, cert) : SSL_CTX_add1_chain_cert(ctx_, cert);
      first = false;
      return ok == 1;
    });
  }

  bool LoadKey(Napi::Value value, Napi::Value passphrase) {
    if (!value.IsTypedArray()) return true;
    Napi::Uint8Array pem = value.As<Napi::Uint8Array>();
    std::string pass;
    bool hasPass = passphrase.IsString();
    if (hasPass) pass = passphrase.As<Napi::String>().Utf8Value();
    BIO* bio = BIO_new_mem_buf(pem.Data(), static_cast<int>(pem.ByteLength()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, Passphrase, hasPass ? &pass : nullptr);
    BIO_free(bio);
    if (key == nullptr) return false;
    int ok = SSL_CTX_use_PrivateKey(ctx_, key);
    EVP_PKEY_free(key);
    return ok == 1 && SSL_CTX_check_private_key(ctx_) == 1;
  }

  bool LoadCA(Napi::Value value) {
    X509_STORE* store = SSL_CTX_get_cert_store(ctx_);
    if (!value.IsArray()) {
      std::lock_guard<std::mutex> hold(rootsLock);
      if (roots != nullptr) {
        for (X509* cert : *roots) X509_STORE_add_cert(store, cert);
      }
      ERR_clear_error();
      return true;
    }
    return ForEachPEMCert(value.As<Napi::Array>(), [&](X509* cert) {
      X509_STORE_add_cert(store, cert);
      SSL_CTX_add_client_CA(ctx_, cert);  // named in a server's certificate request
      return true;
    });
  }

  // Node's split: TLS 1.3 suites (TLS_…) and the TLS 1.2 cipher list.
  bool SetCiphers(Napi::Value value) {
    if (!value.IsString()) return true;
    std::string all = value.As<Napi::String>().Utf8Value();
    std::string suites, list;
    size_t start = 0;
    while (start <= all.size()) {
      size_t end = all.find(':', start);
      if (end == std::string::npos) end = all.size();
      std::string name = all.substr(start, end - start);
      if (!name.empty()) {
        std::string& into = name.compare(0, 4, "TLS_") == 0 ? suites : list;
        if (!into.empty()) into += ':';
        into += name;
      }
      start = end + 1;
    }
    if (!list.empty() && SSL_CTX_set_cipher_list(ctx_, list.c_str()) != 1) return false;
    if (!suites.empty() && SSL_CTX_set_ciphersuites(ctx_, suites.c_str()) != 1) return false;
    if (list.empty() && suites.empty()) {
      SSL_CTX_set_cipher_list(ctx_, "");  // fails with Node's "no cipher match"
      return false;
    }
    return true;
  }

  SSL_CTX* ctx_ = nullptr;
};

SSL_CTX* ContextFromValue(Napi::Env env, Napi::Value value) {
  if (!value.IsObject()) return nullptr;
  bool tagged = false;
  napi_check_object_type_tag(env, value, &kContextTag, &tagged);
  if (!tagged) return nullptr;
  TLSContextWrap* wrap = TLSContextWrap::Unwrap(value.As<Napi::Object>());
  return wrap != nullptr ? wrap->ctx() : nullptr;
}

UVKIT_INIT(TLSContext, TLSContextWrap::Init);
