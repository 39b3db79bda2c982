// TLSContext (a reusable SSL_CTX made from Node's tls options) and the
// TLSError maker shared by the TLS files.
#pragma once

#include <openssl/ssl.h>

#include "tls_engine.h"
#include "uvkit.h"

// What a context knows beyond OpenSSL's own settings.
struct TLSContextExtra {
  std::string alpn;  // wire format, server preference order; empty = none
  bool requestCert = false;
  bool rejectUnauthorized = true;
};
const TLSContextExtra* ContextExtra(SSL_CTX* ctx);

// The SSL_CTX of a native TLSContext object, or nullptr for anything else.
SSL_CTX* ContextFromValue(Napi::Env env, Napi::Value value);

// A TLSError (lib/tls.ts) built with `owner` (a TLS object, or undefined)
// as `this`: Node's code, the message, libuv's errno (UV_EPROTO for a TLS
// failure, the transport's error otherwise) and OpenSSL's reason and
// library when known.
napi_value MakeTLSError(napi_env env, napi_value owner, const TLSFailure& f, int errnum);
