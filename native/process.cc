// Child processes. libuv reaps a child (waitpid) from its loop's SIGCHLD
// watcher, but only while the child's uv_process_t is open: a handle closed
// before its child exits hands the pid to a thread that waits for it, so no
// zombie is left whichever way the handle ends.
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include <string>
#include <thread>
#include <vector>

#include "constants.h"
#include "handle.h"

UVKIT_CALLBACK(onProcessExit);

namespace {

// Strings from a JS array, kept alive with a NULL-terminated char* view.
class StringList {
 public:
  explicit StringList(Napi::Value v) {
    Napi::Array a = v.As<Napi::Array>();
    strings_.reserve(a.Length());
    for (uint32_t i = 0; i < a.Length(); i++) strings_.push_back(Element(a, i).As<Napi::String>().Utf8Value());
    for (std::string& s : strings_) ptrs_.push_back(&s[0]);
    ptrs_.push_back(nullptr);
  }
  char** get() { return ptrs_.data(); }

 private:
  std::vector<std::string> strings_;
  std::vector<char*> ptrs_;
};

bool IsStreamType(uv_handle_type t) { return t == UV_NAMED_PIPE || t == UV_TCP || t == UV_TTY; }

// Whether `h` is in the loop's handle queue.
bool InLoop(uv_loop_t* loop, const void* h) {
  struct Find {
    const void* h;
    bool found;
  } find{h, false};
  uv_walk(
      loop,
      [](uv_handle_t* x, void* arg) {
        Find* f = static_cast<Find*>(arg);
        if (x == f->h) f->found = true;
      },
      &find);
  return find.found;
}

// Waits for `pid` on a thread of its own, for a child libuv will not reap
// (the library stays mapped under it: see PinLibrary in addon.cc).
void ReapInBackground(pid_t pid) {
  std::thread([pid] {
    while (waitpid(pid, nullptr, 0) == -1 && errno == EINTR) {
    }
  }).detach();
}

}  // namespace

class ProcessWrap : public HandleWrap<ProcessWrap, uv_process_t> {
 public:
  explicit ProcessWrap(const Napi::CallbackInfo& info) : HandleWrap(info) {
    if (handle_ != nullptr) pid_ = uv_process_get_pid(uv());
  }

  static constexpr const char* kInitSyscall = "spawn";
  // uv_spawn registers the handle with the loop before it can fail, and
  // libuv 1.52 takes it out again on some failures (libuv < 1.52 leaves it
  // in), so the loop is asked. A started child's handle that libuv took out
  // is still in its list of children: its memory stays (InitHandle makes
  // that unreachable by checking the stdio Pipes first).
  static InitRemains AfterFailedInit(LoopWrap* loop, const uv_process_t* h) {
    if (h->type != UV_PROCESS) return InitRemains::kFree;
    if (InLoop(loop->uv(), h)) return InitRemains::kClose;
    return uv_is_active(reinterpret_cast<const uv_handle_t*>(h)) ? InitRemains::kKeep : InitRemains::kFree;
  }

  // info[1..]: file, args[], env[] ('K=V') or undefined, cwd or undefined,
  // flags, uid, gid, stdio[] of [flags, fd | native stream]. lib/ has checked
  // them all; stream handles are checked here again because a missing or
  // closed one would crash uv_spawn.
  static int InitHandle(LoopWrap* loop, uv_process_t* h, const Napi::CallbackInfo& info) {
    int r = Spawn(loop, h, info);
    // The error names the file that could not be run, as fs errors name their path.
    if (r != 0 && !info.Env().IsExceptionPending()) {
      napi_throw(info.Env(), MakeUVError(info.Env(), info.This(), r, kInitSyscall, info[1]));
    }
    return r;
  }

  static int Spawn(LoopWrap* loop, uv_process_t* h, const Napi::CallbackInfo& info) {
    memset(h, 0, sizeof *h);  // type stays UV_UNKNOWN_HANDLE unless uv_spawn registers it
    Napi::Env env = info.Env();
    std::string file = info[1].As<Napi::String>().Utf8Value();
    StringList args(info[2]);
    bool hasEnv = info[3].IsArray();
    StringList envs(hasEnv ? info[3] : Napi::Array::New(env));
    bool hasCwd = info[4].IsString();
    std::string cwd = hasCwd ? info[4].As<Napi::String>().Utf8Value() : std::string();

    Napi::Array stdio = info[8].As<Napi::Array>();
    std::vector<uv_stdio_container_t> containers(stdio.Length());
    for (uint32_t i = 0; i < stdio.Length(); i++) {
      Napi::Array entry = Element(stdio, i).As<Napi::Array>();
      int flags = Element(entry, 0).As<Napi::Number>().Int32Value();
      uv_stdio_container_t& c = containers[i];
      c.flags = static_cast<uv_stdio_flags>(flags);
      if (flags & UV_INHERIT_FD) {
        c.data.fd = Element(entry, 1).As<Napi::Number>().Int32Value();
      } else if (flags & (UV_INHERIT_STREAM | UV_CREATE_PIPE)) {
        HandleBase* stream = HandleBase::FromValue(env, Element(entry, 1));
        uv_handle_t* sh = stream != nullptr ? stream->uvHandle() : nullptr;
        if (sh == nullptr || uv_is_closing(sh) || !IsStreamType(uv_handle_get_type(sh)) ||
            ((flags & UV_CREATE_PIPE) && uv_handle_get_type(sh) != UV_NAMED_PIPE)) {
          Napi::TypeError::New(env, "stdio stream must be an open Pipe (UV_CREATE_PIPE) or stream")
              .ThrowAsJavaScriptException();
          return UV_EINVAL;
        }
        c.data.stream = reinterpret_cast<uv_stream_t*>(sh);
        if ((flags & UV_CREATE_PIPE) && PipeTaken(containers, i)) return UV_EBUSY;
      }
    }

    uv_process_options_t o;
    memset(&o, 0, sizeof o);
    o.exit_cb = OnExit;
    o.file = file.c_str();
    o.args = args.get();
    o.env = hasEnv ? envs.get() : nullptr;
    o.cwd = hasCwd ? cwd.c_str() : nullptr;
    o.flags = info[5].As<Napi::Number>().Uint32Value();
    o.uid = static_cast<uv_uid_t>(info[6].As<Napi::Number>().Uint32Value());
    o.gid = static_cast<uv_gid_t>(info[7].As<Napi::Number>().Uint32Value());
    o.stdio_count = static_cast<int>(containers.size());
    o.stdio = containers.data();
    int r = uv_spawn(loop->uv(), h, &o);
    if (r != 0 && uv_is_active(reinterpret_cast<uv_handle_t*>(h))) {
      // The child was started but a stdio stream could not be opened. The
      // spawn fails, so the child must go. A handle still in the loop is
      // closed next, which takes it out of libuv's reaping; one libuv took
      // out is reaped by libuv.
      uv_process_kill(h, SIGKILL);
      if (InLoop(loop->uv(), h)) ReapInBackground(h->pid);
    }
    return r;
  }

  // A Pipe for UV_CREATE_PIPE that is open already, or given twice, fails
  // with EBUSY: checked here, because libuv finds it only after the child
  // has started, on a path whose state differs between libuv versions.
  static bool PipeTaken(const std::vector<uv_stdio_container_t>& containers, uint32_t i) {
    uv_os_fd_t fd;
    if (uv_fileno(reinterpret_cast<uv_handle_t*>(containers[i].data.stream), &fd) == 0) return true;
    for (uint32_t j = 0; j < i; j++) {
      if ((containers[j].flags & (UV_CREATE_PIPE | UV_INHERIT_STREAM)) &&
          containers[j].data.stream == containers[i].data.stream) {
        return true;
      }
    }
    return false;
  }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("Process", Define(env, "Process",
                                  {
                                      InstanceMethod<&ProcessWrap::Kill>("kill"),
                                      InstanceMethod<&ProcessWrap::Pid>("pid"),
                                  }));
    exports.Set("disableStdioInheritance",
                Napi::Function::New<DisableStdioInheritance>(env, "disableStdioInheritance"));
    exports.Set("kill", Napi::Function::New<KillPid>(env, "kill"));
    exports.Set("handleType", Napi::Function::New<HandleType>(env, "handleType"));
  }

  // Runs before every uv_close (close(), loop teardown). The handle is
  // active from a successful spawn until libuv has reaped the child; closing
  // it earlier takes the child out of libuv's SIGCHLD processing.
  void Closing() override {
    if (uv_is_active(handle_)) ReapInBackground(pid_);
  }

 private:

  static void OnExit(uv_process_t* h, int64_t exitStatus, int termSignal) {
    HandleBase* self = static_cast<HandleBase*>(h->data);
    if (self == nullptr) return;
    napi_env env = self->env();
    CallbackScope scope(env);
    napi_value argv[2];
    napi_create_int64(env, exitStatus, &argv[0]);
    napi_create_int32(env, termSignal, &argv[1]);
    self->Call(kCb_onProcessExit, 2, argv);
    self->Changed();  // inactive now: no longer pinned
  }

  // kill(signum): lib/ checks signum. After the child was reaped its pid may
  // belong to another process already, so it is never signalled again.
  void Kill(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    if (!uv_is_active(handle_)) return Throw(UV_ESRCH, "kill");
    int r = uv_process_kill(uv(), info[0].As<Napi::Number>().Int32Value());
    if (r != 0) Throw(r, "kill");
  }

  Napi::Value Pid(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), pid_); }

  static void DisableStdioInheritance(const Napi::CallbackInfo&) { uv_disable_stdio_inheritance(); }

  // kill(pid, signum) of any process; lib/ checks both.
  static Napi::Value KillPid(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int r = uv_kill(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value());
    if (r != 0) napi_throw(env, MakeUVError(env, nullptr, r, "kill"));
    return env.Undefined();
  }

  // The uv handle type of a native handle object; UV_UNKNOWN_HANDLE if it is
  // not one or is closed. lib/ uses it to check stdio streams.
  static Napi::Value HandleType(const Napi::CallbackInfo& info) {
    HandleBase* h = HandleBase::FromValue(info.Env(), info[0]);
    uv_handle_t* uvh = h != nullptr ? h->uvHandle() : nullptr;
    return Napi::Number::New(info.Env(), uvh != nullptr ? uv_handle_get_type(uvh) : UV_UNKNOWN_HANDLE);
  }

  int pid_ = 0;
};

static void InitProcess(Napi::Env env, Napi::Object exports) {
  ProcessWrap::Init(env, exports);
  Napi::Object c = ConstantsOf(env, exports);
#define SET(name) c.Set(#name, Napi::Number::New(env, name));
  SET(UV_PROCESS_SETUID) SET(UV_PROCESS_SETGID) SET(UV_PROCESS_DETACHED)
  SET(UV_PROCESS_WINDOWS_HIDE) SET(UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS)
  SET(UV_IGNORE) SET(UV_CREATE_PIPE) SET(UV_READABLE_PIPE) SET(UV_WRITABLE_PIPE)
  SET(UV_INHERIT_FD) SET(UV_INHERIT_STREAM)
#undef SET
}

UVKIT_INIT(Process, InitProcess);
