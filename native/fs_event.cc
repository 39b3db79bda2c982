#include <string>

#include "handle.h"
#include "watched_path.h"

UVKIT_CALLBACK(onFSEvent);

class FSEventWrap : public HandleWrap<FSEventWrap, uv_fs_event_t> {
 public:
  using HandleWrap::HandleWrap;
  static constexpr const char* kInitSyscall = "uv_fs_event_init";
  static int InitHandle(LoopWrap* loop, uv_fs_event_t* h, const Napi::CallbackInfo&) {
    return uv_fs_event_init(loop->uv(), h);
  }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("FSEvent", Define(env, "FSEvent",
                                  {
                                      InstanceMethod<&FSEventWrap::Start>("start"),
                                      InstanceMethod<&FSEventWrap::Stop>("stop"),
                                      InstanceMethod<&FSEventWrap::GetPath>("getPath"),
                                  }));
  }

 private:
  // onFSEvent(err | null, filename, events); the error names the watched path.
  static void OnEvent(uv_fs_event_t* h, const char* filename, int events, int status) {
    HandleBase* self = static_cast<HandleBase*>(h->data);
    napi_env env = self->env();
    CallbackScope scope(env);
    napi_value argv[3];
    if (status < 0) {
      argv[0] = self->Error(status, "uv_fs_event", WatchedPath(env, h, uv_fs_event_getpath));
    } else {
      napi_get_null(env, &argv[0]);
    }
    if (filename != nullptr) {
      napi_create_string_utf8(env, filename, NAPI_AUTO_LENGTH, &argv[1]);
    } else {
      napi_get_null(env, &argv[1]);
    }
    napi_create_int32(env, events, &argv[2]);
    self->Call(kCb_onFSEvent, 3, argv);
  }

  // start(path, flags); a failure throws, naming the path.
  void Start(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    std::string path = info[0].As<Napi::String>().Utf8Value();
    unsigned int flags = info[1].As<Napi::Number>().Uint32Value();
    int r = uv_fs_event_start(uv(), OnEvent, path.c_str(), flags);
    Changed();
    if (r != 0) Throw(r, "uv_fs_event_start", info[0]);
  }

  void Stop(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_fs_event_stop(uv());
    if (r != 0) return Throw(r, "uv_fs_event_stop");
    Changed();
  }

  // The watched path, or null when not started.
  Napi::Value GetPath(const Napi::CallbackInfo& info) {
    return WatchedPath(info.Env(), uv(), uv_fs_event_getpath);
  }
};

UVKIT_INIT(FSEvent, FSEventWrap::Init);
