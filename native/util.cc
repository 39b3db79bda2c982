// Process and system information from libuv (uv_os_*, uv_get_*, uv_cpu_info
// and friends). Plain functions; a failure throws a UVError naming the libuv
// function as its syscall.
#include <string>

#include "features.h"
#include "sockaddr.h"


// Calls a libuv function of the (char* buffer, size_t* size) shape, growing
// the buffer when libuv answers UV_ENOBUFS with the size it needs.
template <class F>
static Napi::Value StringResult(Napi::Env env, F fn, const char* syscall) {
  std::string buf(4096, '\0');  // PATH_MAX: uv_exepath truncates rather than fail
  size_t size = buf.size();
  int r = fn(&buf[0], &size);
  if (r == UV_ENOBUFS) {
    buf.resize(size + 1);
    size = buf.size();
    r = fn(&buf[0], &size);
  }
  if (r != 0) return ThrowUV(env, r, syscall);
  return Napi::String::New(env, buf.data(), size);
}

static Napi::Value HRTime(const Napi::CallbackInfo& info) {
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(uv_hrtime()));
}

static Napi::Value GetFreeMemory(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(uv_get_free_memory()));
}

static Napi::Value GetTotalMemory(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(uv_get_total_memory()));
}

static Napi::Value GetConstrainedMemory(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(uv_get_constrained_memory()));
}

static Napi::Value LoadAvg(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double avg[3];
  uv_loadavg(avg);
  Napi::Array out = Napi::Array::New(env, 3);
  for (uint32_t i = 0; i < 3; i++) out.Set(i, Napi::Number::New(env, avg[i]));
  return out;
}

static Napi::Value Uptime(const Napi::CallbackInfo& info) {
  double up;
  int r = uv_uptime(&up);
  if (r != 0) return ThrowUV(info.Env(), r, "uv_uptime");
  return Napi::Number::New(info.Env(), up);
}

static Napi::Value ResidentSetMemory(const Napi::CallbackInfo& info) {
  size_t rss;
  int r = uv_resident_set_memory(&rss);
  if (r != 0) return ThrowUV(info.Env(), r, "uv_resident_set_memory");
  return Napi::Number::New(info.Env(), static_cast<double>(rss));
}

// [{ name, physAddress: 'aa:bb:..', internal, address: SockAddr, netmask: SockAddr }]
static Napi::Value InterfaceAddresses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uv_interface_address_t* list;
  int count;
  int r = uv_interface_addresses(&list, &count);
  if (r != 0) return ThrowUV(env, r, "uv_interface_addresses");
  Napi::Array out = Napi::Array::New(env, count);
  for (int i = 0; i < count; i++) {
    const uv_interface_address_t& a = list[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", Napi::String::New(env, a.name));
    char mac[18];
    const unsigned char* p = reinterpret_cast<const unsigned char*>(a.phys_addr);
    snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4], p[5]);
    o.Set("physAddress", Napi::String::New(env, mac));
    o.Set("internal", Napi::Boolean::New(env, a.is_internal != 0));
    o.Set("address", AddressToJS(env, reinterpret_cast<const sockaddr*>(&a.address)));
    o.Set("netmask", AddressToJS(env, reinterpret_cast<const sockaddr*>(&a.netmask)));
    out.Set(static_cast<uint32_t>(i), o);
  }
  uv_free_interface_addresses(list, count);
  return out;
}

// [{ model, speed (MHz), times: { user, nice, sys, idle, irq } (ms) }], as os.cpus().
static Napi::Value CpuInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uv_cpu_info_t* cpus;
  int count;
  int r = uv_cpu_info(&cpus, &count);
  if (r != 0) return ThrowUV(env, r, "uv_cpu_info");
  Napi::Array out = Napi::Array::New(env, count);
  for (int i = 0; i < count; i++) {
    const uv_cpu_info_t& c = cpus[i];
    Napi::Object times = Napi::Object::New(env);
    times.Set("user", Napi::Number::New(env, static_cast<double>(c.cpu_times.user)));
    times.Set("nice", Napi::Number::New(env, static_cast<double>(c.cpu_times.nice)));
    times.Set("sys", Napi::Number::New(env, static_cast<double>(c.cpu_times.sys)));
    times.Set("idle", Napi::Number::New(env, static_cast<double>(c.cpu_times.idle)));
    times.Set("irq", Napi::Number::New(env, static_cast<double>(c.cpu_times.irq)));
    Napi::Object o = Napi::Object::New(env);
    o.Set("model", Napi::String::New(env, c.model != nullptr ? c.model : ""));
    o.Set("speed", Napi::Number::New(env, c.speed));
    o.Set("times", times);
    out.Set(static_cast<uint32_t>(i), o);
  }
  uv_free_cpu_info(cpus, count);
  return out;
}

// libuv's uv_rusage_t with the two CPU times in ms (the package's unit).
static Napi::Value RUsage(Napi::Env env, int (*get)(uv_rusage_t*), const char* syscall) {
  uv_rusage_t ru;
  int r = get(&ru);
  if (r != 0) return ThrowUV(env, r, syscall);
  Napi::Object o = Napi::Object::New(env);
  auto ms = [](const uv_timeval_t& tv) { return tv.tv_sec * 1e3 + tv.tv_usec / 1e3; };
  o.Set("utime", Napi::Number::New(env, ms(ru.ru_utime)));
  o.Set("stime", Napi::Number::New(env, ms(ru.ru_stime)));
#define F(name) o.Set(#name, Napi::Number::New(env, static_cast<double>(ru.ru_##name)));
  F(maxrss) F(ixrss) F(idrss) F(isrss) F(minflt) F(majflt) F(nswap) F(inblock) F(oublock)
  F(msgsnd) F(msgrcv) F(nsignals) F(nvcsw) F(nivcsw)
#undef F
  return o;
}

static Napi::Value GetRUsage(const Napi::CallbackInfo& info) {
  return RUsage(info.Env(), uv_getrusage, "uv_getrusage");
}

// The functions below need a libuv newer than 1.46: lib/ checks `features`.
static Napi::Value GetRUsageThread(const Napi::CallbackInfo& info) {
  return RUsage(info.Env(), Features::Get().getrusageThread, "uv_getrusage_thread");
}

// threadSetPriority(priority): lib/ checks it is UV_THREAD_PRIORITY_LOWEST
// (-2) .. HIGHEST (2).
static Napi::Value ThreadSetPriority(const Napi::CallbackInfo& info) {
  int r = Features::Get().threadSetPriority(uv_thread_self(), info[0].As<Napi::Number>().Int32Value());
  if (r != 0) return ThrowUV(info.Env(), r, "uv_thread_setpriority");
  return info.Env().Undefined();
}

static Napi::Value ThreadGetPriority(const Napi::CallbackInfo& info) {
  int priority = 0;
  int r = Features::Get().threadGetPriority(uv_thread_self(), &priority);
  if (r != 0) return ThrowUV(info.Env(), r, "uv_thread_getpriority");
  return Napi::Number::New(info.Env(), priority);
}

// threadSetName(name): libuv truncates to what the OS takes (15 bytes).
static Napi::Value ThreadSetName(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  int r = Features::Get().threadSetName(name.c_str());
  if (r != 0) return ThrowUV(info.Env(), r, "uv_thread_setname");
  return info.Env().Undefined();
}

static Napi::Value ThreadGetName(const Napi::CallbackInfo& info) {
  char name[64];
  uv_thread_t self = uv_thread_self();
  int r = Features::Get().threadGetName(&self, name, sizeof name);
  if (r != 0) return ThrowUV(info.Env(), r, "uv_thread_getname");
  return Napi::String::New(info.Env(), name);
}

// guessHandleType(fd): lib/ checks fd is an integer >= 0.
static Napi::Value GuessHandleType(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), uv_guess_handle(info[0].As<Napi::Number>().Int32Value()));
}

static Napi::Value ExePath(const Napi::CallbackInfo& info) {
  return StringResult(info.Env(), uv_exepath, "uv_exepath");
}

static Napi::Value Cwd(const Napi::CallbackInfo& info) {
  return StringResult(info.Env(), uv_cwd, "uv_cwd");
}

// chdir(path): the error names the path.
static void Chdir(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int r = uv_chdir(path.c_str());
  if (r != 0) napi_throw(info.Env(), MakeUVError(info.Env(), nullptr, r, "uv_chdir", info[0]));
}

static Napi::Value GetProcessTitle(const Napi::CallbackInfo& info) {
  // libuv copies the title and fails with ENOBUFS if it does not fit.
  std::string buf(256, '\0');
  int r;
  while ((r = uv_get_process_title(&buf[0], buf.size())) == UV_ENOBUFS && buf.size() < (1u << 20)) {
    buf.resize(buf.size() * 4);
  }
  if (r != 0) return ThrowUV(info.Env(), r, "uv_get_process_title");
  return Napi::String::New(info.Env(), buf.c_str());
}

static Napi::Value SetProcessTitle(const Napi::CallbackInfo& info) {
  std::string title = info[0].As<Napi::String>().Utf8Value();
  int r = uv_set_process_title(title.c_str());
  if (r != 0) return ThrowUV(info.Env(), r, "uv_set_process_title");
  return info.Env().Undefined();
}

static Napi::Value AvailableParallelism(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), uv_available_parallelism());
}

static Napi::Value OsGetHostname(const Napi::CallbackInfo& info) {
  return StringResult(info.Env(), uv_os_gethostname, "uv_os_gethostname");
}

static Napi::Value OsUname(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uv_utsname_t u;
  int r = uv_os_uname(&u);
  if (r != 0) return ThrowUV(env, r, "uv_os_uname");
  Napi::Object o = Napi::Object::New(env);
  o.Set("sysname", Napi::String::New(env, u.sysname));
  o.Set("release", Napi::String::New(env, u.release));
  o.Set("version", Napi::String::New(env, u.version));
  o.Set("machine", Napi::String::New(env, u.machine));
  return o;
}

void InitUtil(Napi::Env env, Napi::Object exports) {
  Napi::Object util = Napi::Object::New(env);
#define FN(name, impl) util.Set(name, Napi::Function::New<impl>(env, name));
  FN("hrtime", HRTime)
  FN("getFreeMemory", GetFreeMemory)
  FN("getTotalMemory", GetTotalMemory)
  FN("getConstrainedMemory", GetConstrainedMemory)
  FN("loadavg", LoadAvg)
  FN("uptime", Uptime)
  FN("residentSetMemory", ResidentSetMemory)
  FN("interfaceAddresses", InterfaceAddresses)
  FN("cpuInfo", CpuInfo)
  FN("getrusage", GetRUsage)
  FN("getrusageThread", GetRUsageThread)
  FN("threadSetPriority", ThreadSetPriority)
  FN("threadGetPriority", ThreadGetPriority)
  FN("threadSetName", ThreadSetName)
  FN("threadGetName", ThreadGetName)
  FN("guessHandleType", GuessHandleType)
  FN("exepath", ExePath)
  FN("cwd", Cwd)
  FN("chdir", Chdir)
  FN("getProcessTitle", GetProcessTitle)
  FN("setProcessTitle", SetProcessTitle)
  FN("availableParallelism", AvailableParallelism)
  FN("osGetHostname", OsGetHostname)
  FN("osUname", OsUname)
#undef FN
  exports.Set("util", util);
}

UVKIT_INIT(Util, InitUtil);
