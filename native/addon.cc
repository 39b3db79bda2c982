// Module entry: per-environment state, registration of every native file,
// and the clean-up that closes every loop when the environment ends.
#include "loop.h"

static const char* const kCallbackNames[] = {
#define X(name) #name,
    UVKIT_CALLBACKS(X)
#undef X
};

// lib/ hands over its JavaScript entry points once per environment.
static void SetCallbacks(const Napi::CallbackInfo& info) {
  AddonData* addon = AddonData::Get(info.Env());
  Napi::Object fns = info[0].As<Napi::Object>();
  for (int i = 0; i < kCallbackCount; i++) {
    Napi::Value fn = fns.Get(kCallbackNames[i]);
    if (fn.IsFunction()) addon->callbacks[i] = Napi::Persistent(fn.As<Napi::Function>());
  }
}

void WorkThreadEnding(AddonData* addon);  // work.cc

static void Cleanup(void* arg) {
  AddonData* addon = static_cast<AddonData*>(arg);
  addon->ending = true;
  WorkThreadEnding(addon);
  for (LoopWrap* loop : addon->loops) loop->Teardown();
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  AddonData* addon = new AddonData();
  env.SetInstanceData(addon);
  napi_add_env_cleanup_hook(env, Cleanup, addon);
  addon->noop = Napi::Persistent(env.RunScript("(function () {})").As<Napi::Function>());

  exports.Set("setCallbacks", Napi::Function::New<SetCallbacks>(env, "setCallbacks"));
  exports.Set("libuvVersion", Napi::String::New(env, uv_version_string()));
  exports.Set("libuvBuildVersion", Napi::String::New(env, UVKIT_LIBUV_VERSION));
  InitErrors(env, exports);
  InitFeatures(env, exports);
  InitLoop(env, exports);
  InitTimer(env, exports);
  InitLoopWatchers(env, exports);
  InitAsync(env, exports);
  InitSignal(env, exports);
  InitUtil(env, exports);
  InitFSEvent(env, exports);
  InitFSPoll(env, exports);
  InitProcess(env, exports);
  InitTCP(env, exports);
  InitPipe(env, exports);
  InitTTY(env, exports);
  InitWork(env, exports);
  InitFS(env, exports);
  InitUDP(env, exports);
  InitPoll(env, exports);
  InitDNS(env, exports);
  InitMisc(env, exports);
  InitTLSContext(env, exports);
  InitTLS(env, exports);
  return exports;
}

NODE_API_MODULE(uvkit, Init)
