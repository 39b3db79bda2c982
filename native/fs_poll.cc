#include <string>

#include "handle.h"
#include "stat.h"
#include "watched_path.h"

UVKIT_CALLBACK(onFSPoll);

class FSPollWrap : public HandleWrap<FSPollWrap, uv_fs_poll_t> {
 public:
  using HandleWrap::HandleWrap;
  static constexpr const char* kInitSyscall = "uv_fs_poll_init";
  static int InitHandle(LoopWrap* loop, uv_fs_poll_t* h, const Napi::CallbackInfo&) {
    return uv_fs_poll_init(loop->uv(), h);
  }

  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("FSPoll", Define(env, "FSPoll",
                                 {
                                     InstanceMethod<&FSPollWrap::Start>("start"),
                                     InstanceMethod<&FSPollWrap::Stop>("stop"),
                                     InstanceMethod<&FSPollWrap::GetPath>("getPath"),
                                 }));
  }

 private:
  // Writes `s` into its slot of the stat array; false for "no stat": libuv
  // passes an all-zero stat before the first success (prev) and on error
  // (curr), and no real file has mode 0.
  static bool PutStat(AddonData* addon, size_t slot, const uv_stat_t* s) {
    if (s == nullptr || s->st_mode == 0) return false;
    StatToArray(addon, slot, s);
    return true;
  }

  // onFSPoll(err | null, hasPrev, hasCurr), prev and curr in stat slots 0
  // and 1, which lib/ reads; the error names the polled path.
  static void OnPoll(uv_fs_poll_t* h, int status, const uv_stat_t* prev, const uv_stat_t* curr) {
    HandleBase* self = static_cast<HandleBase*>(h->data);
    Napi::Env env(self->env());
    CallbackScope scope(env);
    AddonData* addon = AddonData::Get(env);
    napi_value argv[3] = {
        status < 0 ? self->Error(status, "uv_fs_poll", WatchedPath(env, h, uv_fs_poll_getpath)) : env.Null(),
        Napi::Boolean::New(env, PutStat(addon, 0, prev)),
        Napi::Boolean::New(env, status >= 0 && PutStat(addon, 1, curr)),
    };
    self->Call(kCb_onFSPoll, 3, argv);
  }

  // A uv_fs_poll_t must not be started again while the context of its
  // previous start may still have a stat in flight: that context would find
  // the handle active again, keep polling, and trip an assertion in libuv
  // (timer_cb: parent_handle->poll_ctx == ctx), which aborts the process.
  // So a restart moves the wrap to a fresh uv handle and lets the old one
  // close silently (it frees itself once its last context is done).
  void Renew() {
    uv_fs_poll_t* old = uv();
    uv_fs_poll_t* fresh = static_cast<uv_fs_poll_t*>(malloc(sizeof(uv_fs_poll_t)));
    uv_fs_poll_init(loop_->uv(), fresh);  // only initialises fields
    if (!uv_has_ref(handle_)) uv_unref(reinterpret_cast<uv_handle_t*>(fresh));
    fresh->data = old->data;
    old->data = nullptr;  // invisible to loop.handles and teardown from now on
    uv_close(handle_, [](uv_handle_t* h) { free(h); });
    handle_ = reinterpret_cast<uv_handle_t*>(fresh);
  }

  // start(path, intervalMs); a failure throws, naming the path.
  // A start of a started handle restarts it (libuv would ignore it), so the
  // new path, interval and callback all take effect.
  void Start(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    std::string path = info[0].As<Napi::String>().Utf8Value();
    unsigned int interval = info[1].As<Napi::Number>().Uint32Value();
    if (uv()->poll_ctx != nullptr) Renew();
    int r = uv_fs_poll_start(uv(), OnPoll, path.c_str(), interval);
    Changed();
    if (r != 0) Throw(r, "uv_fs_poll_start", info[0]);
  }

  void Stop(const Napi::CallbackInfo& info) {
    if (!IsOpen(info.Env())) return;
    int r = uv_fs_poll_stop(uv());
    if (r != 0) return Throw(r, "uv_fs_poll_stop");
    Changed();
  }

  // The polled path, or null when not started.
  Napi::Value GetPath(const Napi::CallbackInfo& info) {
    return WatchedPath(info.Env(), uv(), uv_fs_poll_getpath);
  }
};

UVKIT_INIT(FSPoll, FSPollWrap::Init);
