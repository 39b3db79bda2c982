#include "features.h"

#include <dlfcn.h>

#include "uvkit.h"

template <class F>
static void Find(F* fn, const char* name) {
  *fn = reinterpret_cast<F>(dlsym(RTLD_DEFAULT, name));
}

const Features& Features::Get() {
  static const Features features = [] {
    Features f;
    Find(&f.threadSetPriority, "uv_thread_setpriority");
    Find(&f.threadGetPriority, "uv_thread_getpriority");
    Find(&f.threadSetName, "uv_thread_setname");
    Find(&f.threadGetName, "uv_thread_getname");
    Find(&f.getrusageThread, "uv_getrusage_thread");
    Find(&f.udpTrySend2, "uv_udp_try_send2");
    Find(&f.tcpKeepaliveEx, "uv_tcp_keepalive_ex");
    unsigned int v = uv_version();
    f.tcpReusePort = f.udpReusePort = f.ioUringSqpoll = v >= 0x013100;
    f.fsUtimeNowOmit = v >= 0x013300;
    f.statfsFrsize = v >= 0x013400;
    return f;
  }();
  return features;
}

void InitFeatures(Napi::Env env, Napi::Object exports) {
  const Features& f = Features::Get();
  Napi::Object o = Napi::Object::New(env);
  auto set = [&](const char* name, bool on) { o.Set(name, Napi::Boolean::New(env, on)); };
  set("tcpReusePort", f.tcpReusePort);
  set("udpReusePort", f.udpReusePort);
  set("tcpKeepaliveEx", f.tcpKeepaliveEx != nullptr);
  set("udpTrySendMany", f.udpTrySend2 != nullptr);
  set("threadPriority", f.threadSetPriority != nullptr && f.threadGetPriority != nullptr);
  set("threadName", f.threadSetName != nullptr && f.threadGetName != nullptr);
  set("getrusageThread", f.getrusageThread != nullptr);
  set("fsUtimeNowOmit", f.fsUtimeNowOmit);
  set("statfsFrsize", f.statfsFrsize);
  set("ioUringSqpoll", f.ioUringSqpoll);
  exports.Set("features", o);
}

UVKIT_INIT(Features, InitFeatures);
