// The rest of libuv (issue 14) that concerns the OS, not a loop:
// uv_socketpair and uv_pipe, thread affinity, clocks, available memory and
// interface names. Plain functions under `binding.misc`, with the loop's
// metrics (metrics.cc).
#include <sys/socket.h>

#include <vector>

#include "uvkit.h"

// ---- fds -----------------------------------------------------------------

static Napi::Value FdPair(Napi::Env env, int a, int b) {
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, a));
  out.Set(1u, Napi::Number::New(env, b));
  return out;
}

// socketpair(dgram, nonblock) -> [fd, fd], both close-on-exec.
static Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int type = Truthy(info[0]) ? SOCK_DGRAM : SOCK_STREAM;
  int flags = Truthy(info[1]) ? UV_NONBLOCK_PIPE : 0;
  uv_os_sock_t fds[2];
  int r = uv_socketpair(type, 0, fds, flags, flags);
  if (r != 0) return ThrowUV(env, r, "uv_socketpair");
  return FdPair(env, fds[0], fds[1]);
}

// pipe(nonblock) -> [read fd, write fd], both close-on-exec.
static Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int flags = Truthy(info[0]) ? UV_NONBLOCK_PIPE : 0;
  uv_file fds[2];
  int r = uv_pipe(fds, flags, flags);
  if (r != 0) return ThrowUV(env, r, "uv_pipe");
  return FdPair(env, fds[0], fds[1]);
}

// ---- threads -------------------------------------------------------------

static Napi::Value CpumaskSize(const Napi::CallbackInfo& info) {
  int n = uv_cpumask_size();
  if (n < 0) return ThrowUV(info.Env(), n, "uv_cpumask_size");
  return Napi::Number::New(info.Env(), n);
}

static Napi::Array MaskToJS(Napi::Env env, const std::vector<char>& mask) {
  Napi::Array out = Napi::Array::New(env, mask.size());
  for (uint32_t i = 0; i < mask.size(); i++) out.Set(i, Napi::Boolean::New(env, mask[i] != 0));
  return out;
}

// threadSetAffinity(Uint8Array of cpumaskSize() bytes) -> the previous mask.
static Napi::Value ThreadSetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int n = uv_cpumask_size();
  if (n < 0) return ThrowUV(env, n, "uv_cpumask_size");
  Napi::Uint8Array given = info[0].As<Napi::Uint8Array>();
  std::vector<char> mask(n, 0), old(n, 0);
  for (size_t i = 0; i < given.ElementLength() && i < mask.size(); i++) mask[i] = given[i] != 0;
  uv_thread_t self = uv_thread_self();
  int r = uv_thread_setaffinity(&self, mask.data(), old.data(), mask.size());
  if (r != 0) return ThrowUV(env, r, "uv_thread_setaffinity");
  return MaskToJS(env, old);
}

static Napi::Value ThreadGetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int n = uv_cpumask_size();
  if (n < 0) return ThrowUV(env, n, "uv_cpumask_size");
  std::vector<char> mask(n, 0);
  uv_thread_t self = uv_thread_self();
  int r = uv_thread_getaffinity(&self, mask.data(), mask.size());
  if (r != 0) return ThrowUV(env, r, "uv_thread_getaffinity");
  return MaskToJS(env, mask);
}

static Napi::Value ThreadGetCPU(const Napi::CallbackInfo& info) {
  int cpu = uv_thread_getcpu();
  if (cpu < 0) return ThrowUV(info.Env(), cpu, "uv_thread_getcpu");
  return Napi::Number::New(info.Env(), cpu);
}

// ---- time, memory, interfaces -------------------------------------------

static Napi::Value GetAvailableMemory(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(uv_get_available_memory()));
}

// clockGettime(realtime) -> [sec, nsec]
static Napi::Value ClockGettime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uv_timespec64_t ts;
  int r = uv_clock_gettime(Truthy(info[0]) ? UV_CLOCK_REALTIME : UV_CLOCK_MONOTONIC, &ts);
  if (r != 0) return ThrowUV(env, r, "uv_clock_gettime");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, static_cast<double>(ts.tv_sec)));
  out.Set(1u, Napi::Number::New(env, ts.tv_nsec));
  return out;
}

// gettimeofday() -> [sec, usec]
static Napi::Value GetTimeOfDay(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uv_timeval64_t tv;
  int r = uv_gettimeofday(&tv);
  if (r != 0) return ThrowUV(env, r, "uv_gettimeofday");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, static_cast<double>(tv.tv_sec)));
  out.Set(1u, Napi::Number::New(env, tv.tv_usec));
  return out;
}

// sleep(ms): lib/ checks 0 <= ms <= 2**32 - 1.
static void Sleep(const Napi::CallbackInfo& info) {
  uv_sleep(info[0].As<Napi::Number>().Uint32Value());
}

// ifIndexToName(index, iid) -> string (uv_if_indextoname / uv_if_indextoiid)
static Napi::Value IfIndexTo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  unsigned int index = info[0].As<Napi::Number>().Uint32Value();
  bool iid = Truthy(info[1]);
  char name[UV_IF_NAMESIZE];
  size_t size = sizeof name;
  int r = iid ? uv_if_indextoiid(index, name, &size) : uv_if_indextoname(index, name, &size);
  if (r != 0) return ThrowUV(env, r, iid ? "uv_if_indextoiid" : "uv_if_indextoname");
  return Napi::String::New(env, name, size);
}

void AddMetrics(Napi::Env env, Napi::Object misc);  // metrics.cc

void InitMisc(Napi::Env env, Napi::Object exports) {
  Napi::Object misc = Napi::Object::New(env);
#define FN(name, impl) misc.Set(name, Napi::Function::New<impl>(env, name));
  FN("socketpair", SocketPair)
  FN("pipe", Pipe)
  FN("cpumaskSize", CpumaskSize)
  FN("threadSetAffinity", ThreadSetAffinity)
  FN("threadGetAffinity", ThreadGetAffinity)
  FN("threadGetCPU", ThreadGetCPU)
  FN("getAvailableMemory", GetAvailableMemory)
  FN("clockGettime", ClockGettime)
  FN("gettimeofday", GetTimeOfDay)
  FN("sleep", Sleep)
  FN("ifIndexTo", IfIndexTo)
#undef FN
  AddMetrics(env, misc);
  exports.Set("misc", misc);
}

UVKIT_INIT(Misc, InitMisc);
