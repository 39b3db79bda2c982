// The TLS engine: one OpenSSL SSL object between two memory BIOs, knowing
// nothing of libuv or JavaScript. Ciphertext from the peer is fed in,
// plaintext comes out of Read(); plaintext written and the handshake's own
// records come out as ciphertext through Outgoing(). Failures are named as
// Node's tls names them. Only functions of OpenSSL 3.0 are used: the addon
// runs on Node lines that ship 3.0 as well as newer ones.
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <utility>
#include <vector>

// Why a TLS operation failed, in Node's terms.
struct TLSFailure {
  std::string code;     // 'ERR_SSL_WRONG_VERSION_NUMBER', 'CERT_HAS_EXPIRED', 'ECONNRESET'
  std::string message;
  std::string reason;   // OpenSSL's reason string ('wrong version number'), if any
  std::string library;  // OpenSSL's library name ('SSL routines'), if any
  bool empty() const { return code.empty(); }
};

// The first error of OpenSSL's queue of this thread, named as Node names it
// (ERR_SSL_<REASON> for the SSL library, ERR_OSSL_<LIB>_<REASON> for the
// others); the queue is cleared. `fallback` when the queue is empty.
TLSFailure TakeOpenSSLError(const char* fallback);

// A certificate verification result (X509_V_ERR_*) as Node names it:
// 'DEPTH_ZERO_SELF_SIGNED_CERT', with OpenSSL's text as the message.
TLSFailure VerifyFailure(long result);

class TLSEngine {
 public:
  // Called during the handshake of a server with the name the client
  // asked for (SNI); returns the context to go on with, or nullptr to keep
  // the current one. `ok` false aborts the handshake.
  class Listener {
   public:
    virtual SSL_CTX* OnServername(const char* name, bool* ok) = 0;
  };

  TLSEngine(SSL_CTX* ctx, bool server, Listener* listener);
  ~TLSEngine();
  TLSEngine(const TLSEngine&) = delete;
  TLSEngine& operator=(const TLSEngine&) = delete;

  bool server() const { return server_; }
  SSL* ssl() const { return ssl_; }
  const TLSFailure& failure() const { return failure_; }
  // Whether ciphertext fed in or plaintext decrypted is waiting to be read.
  bool HasInput() const;

  // Client: the name sent as SNI (not for an IP address) and checked
  // against the certificate.
  void SetServername(const std::string& name);
  const std::string& expectedName() const { return servername_; }
  // Client: a session (DER, from GetSession) to resume; false if invalid.
  bool SetSession(const unsigned char* der, size_t length);

  enum class Step { kWant, kDone, kFailed };
  // Advances the handshake with what has been fed; kFailed sets failure().
  Step Handshake();
  // The verification result of the peer (chain, then the client's name
  // check), empty if it is trusted.
  TLSFailure Verify() const;

  // Ciphertext received from the peer.
  void Feed(const char* data, size_t length);

  enum class Read { kData, kWant, kEnd, kFailed };
  // Plaintext into buf; kEnd: the peer's close_notify.
  Read ReadPlain(char* buf, size_t capacity, size_t* length);
  // Encrypts all of data; false (failure() set) on an error.
  bool WritePlain(const char* data, size_t length);
  // Queues close_notify.
  void Shutdown();

  // The ciphertext waiting to be sent: a pointer into the engine and its
  // length, valid until Consume().
  size_t Outgoing(const char** data);
  void Consume();

 private:
  friend void TLSEngineInstallServername(SSL_CTX* ctx);
  static int OnServernameCb(SSL* ssl, int* alert, void* arg);

  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // read by the SSL object, fed by Feed()
  BIO* out_ = nullptr;  // written by the SSL object, drained by Outgoing()
  bool server_;
  Listener* listener_;
  std::string servername_;
  TLSFailure failure_;
};

// Every context gets the servername callback that reaches its engines'
// listeners (done when the context is made, native/tls_context.cc).
void TLSEngineInstallServername(SSL_CTX* ctx);

// The facts of a certificate that getPeerCertificate() shows, as Node
// shows them.
struct CertFacts {
  std::vector<std::pair<std::string, std::string>> subject, issuer;  // short names: CN, O…
  std::string subjectaltname;  // 'DNS:localhost, IP Address:127.0.0.1'; empty if none
  std::string validFrom, validTo;  // 'Dec  1 22:00:00 2026 GMT'
  std::string fingerprint256;      // 'AB:CD:…'
  std::string raw;                 // DER
};
bool ReadCertFacts(X509* cert, CertFacts* facts);
// The subjectAltName extension as OpenSSL prints it; empty if none.
std::string SubjectAltName(X509* cert);
