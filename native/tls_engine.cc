#include "tls_engine.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <cstring>

// ---- errors, named as Node names them -------------------------------------

// Node's code for an OpenSSL error: ERR_SSL_<REASON> for the SSL library,
// ERR_OSSL_<LIB>_<REASON> for the others, the reason upper-cased with its
// spaces made underscores ('wrong version number' -> WRONG_VERSION_NUMBER).
static std::string NodeCode(unsigned long e, const char* reason) {
  const char* lib = "";
  switch (ERR_GET_LIB(e)) {
#define LIB(name) \
  case ERR_LIB_##name: lib = #name "_"; break;
    LIB(SYS) LIB(BN) LIB(RSA) LIB(DH) LIB(EVP) LIB(BUF) LIB(OBJ) LIB(PEM) LIB(DSA) LIB(X509)
    LIB(ASN1) LIB(CONF) LIB(CRYPTO) LIB(EC) LIB(SSL) LIB(BIO) LIB(PKCS7) LIB(X509V3) LIB(PKCS12)
    LIB(RAND) LIB(DSO) LIB(ENGINE) LIB(OCSP) LIB(UI) LIB(COMP) LIB(ECDSA) LIB(ECDH)
    LIB(OSSL_STORE) LIB(FIPS) LIB(CMS) LIB(TS) LIB(HMAC) LIB(CT) LIB(ASYNC) LIB(KDF) LIB(SM2)
    LIB(USER)
#undef LIB
  }
  std::string code = strcmp(lib, "SSL_") == 0 ? "ERR_SSL_" : std::string("ERR_OSSL_") + lib;
  for (const char* p = reason; *p != '\0'; p++) {
    code += *p == ' ' ? '_' : static_cast<char>(toupper(static_cast<unsigned char>(*p)));
  }
  return code;
}

TLSFailure TakeOpenSSLError(const char* fallback) {
  TLSFailure f;
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) {
    f.code = "ERR_SSL_INTERNAL_ERROR";
    f.message = fallback;
    return f;
  }
  const char* reason = ERR_reason_error_string(e);
  const char* lib = ERR_lib_error_string(e);
  char text[256];
  ERR_error_string_n(e, text, sizeof text);
  f.reason = reason != nullptr ? reason : "";
  f.library = lib != nullptr ? lib : "";
  f.code = NodeCode(e, f.reason.empty() ? "unknown" : f.reason.c_str());
  f.message = text;
  return f;
}

TLSFailure VerifyFailure(long result) {
  TLSFailure f;
  switch (result) {
#define CODE(name) \
  case X509_V_ERR_##name: f.code = #name; break;
    CODE(UNABLE_TO_GET_ISSUER_CERT) CODE(UNABLE_TO_GET_CRL) CODE(UNABLE_TO_DECRYPT_CERT_SIGNATURE)
    CODE(UNABLE_TO_DECRYPT_CRL_SIGNATURE) CODE(UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY)
    CODE(CERT_SIGNATURE_FAILURE) CODE(CRL_SIGNATURE_FAILURE) CODE(CERT_NOT_YET_VALID)
    CODE(CERT_HAS_EXPIRED) CODE(CRL_NOT_YET_VALID) CODE(CRL_HAS_EXPIRED)
    CODE(ERROR_IN_CERT_NOT_BEFORE_FIELD) CODE(ERROR_IN_CERT_NOT_AFTER_FIELD)
    CODE(ERROR_IN_CRL_LAST_UPDATE_FIELD) CODE(ERROR_IN_CRL_NEXT_UPDATE_FIELD) CODE(OUT_OF_MEM)
    CODE(DEPTH_ZERO_SELF_SIGNED_CERT) CODE(SELF_SIGNED_CERT_IN_CHAIN)
    CODE(UNABLE_TO_GET_ISSUER_CERT_LOCALLY) CODE(UNABLE_TO_VERIFY_LEAF_SIGNATURE)
    CODE(CERT_CHAIN_TOO_LONG) CODE(CERT_REVOKED) CODE(INVALID_CA) CODE(PATH_LENGTH_EXCEEDED)
    CODE(INVALID_PURPOSE) CODE(CERT_UNTRUSTED) CODE(CERT_REJECTED) CODE(HOSTNAME_MISMATCH)
#undef CODE
    default: f.code = "UNSPECIFIED";
  }
  f.message = X509_verify_cert_error_string(result);
  return f;
}

// ---- the engine -----------------------------------------------------------

// Where an SSL object's engine is (SSL_set_ex_data), for the servername
// callback that OpenSSL calls per context.
static int EngineIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

TLSEngine::TLSEngine(SSL_CTX* ctx, bool server, Listener* listener)
    : server_(server), listener_(listener) {
  ssl_ = SSL_new(ctx);
  if (ssl_ == nullptr) return;
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(in_, -1);  // empty means "want more", not EOF
  SSL_set_bio(ssl_, in_, out_);     // the SSL object owns both
  SSL_set_ex_data(ssl_, EngineIndex(), this);
  if (server) {
    SSL_set_accept_state(ssl_);
  } else {
    // A client completes the handshake whatever the verification says and
    // judges the result itself (Verify()), as Node does: the caller may
    // accept an untrusted peer (rejectUnauthorized: false).
    SSL_set_verify(ssl_, SSL_VERIFY_NONE, nullptr);
    SSL_set_connect_state(ssl_);
  }
}

TLSEngine::~TLSEngine() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

static bool IsIP(const std::string& name) {
  unsigned char buf[16];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

void TLSEngine::SetServername(const std::string& name) {
  servername_ = name;
  // RFC 6066: SNI carries host names only, never addresses.
  if (!name.empty() && !IsIP(name)) SSL_set_tlsext_host_name(ssl_, name.c_str());
}

bool TLSEngine::SetSession(const unsigned char* der, size_t length) {
  const unsigned char* p = der;
  SSL_SESSION* session = d2i_SSL_SESSION(nullptr, &p, static_cast<long>(length));
  if (session == nullptr) {
    ERR_clear_error();
    return false;
  }
  int r = SSL_set_session(ssl_, session);
  SSL_SESSION_free(session);
  ERR_clear_error();
  return r == 1;
}

bool TLSEngine::HasInput() const {
  return BIO_ctrl_pending(in_) > 0 || SSL_has_pending(ssl_) == 1;
}

TLSEngine::Step TLSEngine::Handshake() {
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_);
  if (r == 1) return Step::kDone;
  int e = SSL_get_error(ssl_, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return Step::kWant;
  failure_ = TakeOpenSSLError("handshake failed");
  return Step::kFailed;
}

TLSFailure TLSEngine::Verify() const {
  X509* peer = SSL_get1_peer_certificate(ssl_);
  // No certificate at all: Node reports UNABLE_TO_GET_ISSUER_CERT.
  if (peer == nullptr) return VerifyFailure(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT);
  TLSFailure f;
  long result = SSL_get_verify_result(ssl_);
  if (result != X509_V_OK) {
    f = VerifyFailure(result);
  } else if (!server_ && !servername_.empty()) {
    bool ip = IsIP(servername_);
    bool match = ip ? X509_check_ip_asc(peer, servername_.c_str(), 0) == 1
                    : X509_check_host(peer, servername_.c_str(), servername_.size(),
                                      X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
    if (!match) {
      std::string names = SubjectAltName(peer);
      f.code = "ERR_TLS_CERT_ALTNAME_INVALID";
      f.message = "Hostname/IP does not match certificate's altnames: ";
      f.message += ip ? "IP: " + servername_ + " is not in the cert's list: " + names
                      : "Host: " + servername_ + ". is not in the cert's altnames: " + names;
    }
  }
  X509_free(peer);
  ERR_clear_error();
  return f;
}

void TLSEngine::Feed(const char* data, size_t length) {
  BIO_write(in_, data, static_cast<int>(length));
}

TLSEngine::Read TLSEngine::ReadPlain(char* buf, size_t capacity, size_t* length) {
  ERR_clear_error();
  int r = SSL_read(ssl_, buf, static_cast<int>(capacity));
  if (r > 0) {
    *length = static_cast<size_t>(r);
    return Read::kData;
  }
  *length = 0;
  int e = SSL_get_error(ssl_, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return Read::kWant;
  if (e == SSL_ERROR_ZERO_RETURN) return Read::kEnd;
  failure_ = TakeOpenSSLError("read failed");
  return Read::kFailed;
}

bool TLSEngine::WritePlain(const char* data, size_t length) {
  ERR_clear_error();
  // A memory BIO takes everything, so one SSL_write encrypts it all.
  int r = SSL_write(ssl_, data, static_cast<int>(length));
  if (r == static_cast<int>(length)) return true;
  failure_ = TakeOpenSSLError("write failed");
  return false;
}

void TLSEngine::Shutdown() {
  ERR_clear_error();
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

size_t TLSEngine::Outgoing(const char** data) {
  char* p = nullptr;
  long n = BIO_get_mem_data(out_, &p);
  *data = p;
  return n > 0 ? static_cast<size_t>(n) : 0;
}

void TLSEngine::Consume() { (void)BIO_reset(out_); }

int TLSEngine::OnServernameCb(SSL* ssl, int* alert, void* arg) {
  TLSEngine* self = static_cast<TLSEngine*>(SSL_get_ex_data(ssl, EngineIndex()));
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (self == nullptr || self->listener_ == nullptr || name == nullptr) return SSL_TLSEXT_ERR_OK;
  bool ok = true;
  SSL_CTX* ctx = self->listener_->OnServername(name, &ok);
  if (!ok) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  if (ctx != nullptr && ctx != SSL_get_SSL_CTX(ssl)) SSL_set_SSL_CTX(ssl, ctx);
  return SSL_TLSEXT_ERR_OK;
}

void TLSEngineInstallServername(SSL_CTX* ctx) {
  SSL_CTX_set_tlsext_servername_callback(ctx, TLSEngine::OnServernameCb);
}

// ---- certificate facts ----------------------------------------------------

static std::string FromBio(BIO* bio) {
  char* p = nullptr;
  long n = BIO_get_mem_data(bio, &p);
  std::string s(p != nullptr && n > 0 ? p : "", n > 0 ? static_cast<size_t>(n) : 0);
  BIO_free(bio);
  return s;
}

std::string SubjectAltName(X509* cert) {
  int at = X509_get_ext_by_NID(cert, NID_subject_alt_name, -1);
  if (at < 0) return "";
  BIO* bio = BIO_new(BIO_s_mem());
  X509V3_EXT_print(bio, X509_get_ext(cert, at), 0, 0);
  ERR_clear_error();
  return FromBio(bio);
}

static void NameFacts(X509_NAME* name, std::vector<std::pair<std::string, std::string>>* out) {
  int n = X509_NAME_entry_count(name);
  for (int i = 0; i < n; i++) {
    X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
    const char* key = nid != NID_undef ? OBJ_nid2sn(nid) : "UNDEF";
    unsigned char* utf8 = nullptr;
    int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    if (length < 0) continue;
    out->emplace_back(key, std::string(reinterpret_cast<char*>(utf8), length));
    OPENSSL_free(utf8);
  }
}

bool ReadCertFacts(X509* cert, CertFacts* facts) {
  NameFacts(X509_get_subject_name(cert), &facts->subject);
  NameFacts(X509_get_issuer_name(cert), &facts->issuer);
  facts->subjectaltname = SubjectAltName(cert);
  BIO* bio = BIO_new(BIO_s_mem());
  ASN1_TIME_print(bio, X509_get0_notBefore(cert));
  facts->validFrom = FromBio(bio);
  bio = BIO_new(BIO_s_mem());
  ASN1_TIME_print(bio, X509_get0_notAfter(cert));
  facts->validTo = FromBio(bio);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdLength = 0;
  if (X509_digest(cert, EVP_sha256(), md, &mdLength) == 1) {
    static const char hex[] = "0123456789ABCDEF";
    for (unsigned int i = 0; i < mdLength; i++) {
      if (i > 0) facts->fingerprint256 += ':';
      facts->fingerprint256 += hex[md[i] >> 4];
      facts->fingerprint256 += hex[md[i] & 15];
    }
  }
  int length = i2d_X509(cert, nullptr);
  if (length > 0) {
    facts->raw.resize(length);
    unsigned char* p = reinterpret_cast<unsigned char*>(&facts->raw[0]);
    i2d_X509(cert, &p);
  }
  ERR_clear_error();
  return true;
}
