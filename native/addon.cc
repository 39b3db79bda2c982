// Module entry: per-environment state, the registries that every native file
// adds itself to (UVKIT_INIT, UVKIT_CALLBACK in uvkit.h), and the clean-up
// that closes every loop when the environment ends.
#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "loop.h"

// Function-local statics: filled by the static initializers of every file,
// in whatever order the linker puts them, before Init runs.
std::vector<const char*>& JSCallback::Names() {
  static std::vector<const char*> names;
  return names;
}

JSCallback::JSCallback(const char* name) : index_(Names().size()) { Names().push_back(name); }

std::vector<std::pair<const char*, InitFn>>& InitRegistration::All() {
  static std::vector<std::pair<const char*, InitFn>> all;
  return all;
}

InitRegistration::InitRegistration(const char* name, InitFn fn) { All().emplace_back(name, fn); }

// lib/ hands over its JavaScript entry points, a few per call, by name.
static void SetCallbacks(const Napi::CallbackInfo& info) {
  AddonData* addon = AddonData::Get(info.Env());
  Napi::Object fns = info[0].As<Napi::Object>();
  const std::vector<const char*>& names = JSCallback::Names();
  for (size_t i = 0; i < names.size(); i++) {
    Napi::Value fn = fns.Get(names[i]);
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

// Node unloads an addon (dlclose) when an environment that loaded it ends,
// before the worker's own loop has run the close callbacks of handles put
// on it (attach()), while a reaper thread may still sit in waitpid and a
// stuck loop's pool work may still complete: all of that is code in this
// library. Keep it mapped for the life of the process.
static void PinLibrary() {
  static std::once_flag once;  // workers may load it at the same time
  std::call_once(once, [] {
    Dl_info self;
    if (dladdr(reinterpret_cast<void*>(&PinLibrary), &self) != 0 && self.dli_fname != nullptr) {
      dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    }
  });
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  PinLibrary();
  AddonData* addon = new AddonData();
  env.SetInstanceData(addon);
  napi_add_env_cleanup_hook(env, Cleanup, addon);
  addon->noop = Napi::Persistent(env.RunScript("(function () {})").As<Napi::Function>());
  addon->callbacks.resize(JSCallback::Names().size());

  exports.Set("setCallbacks", Napi::Function::New<SetCallbacks>(env, "setCallbacks"));
  exports.Set("libuvVersion", Napi::String::New(env, uv_version_string()));
  exports.Set("libuvBuildVersion", Napi::String::New(env, UVKIT_LIBUV_VERSION));
  // In name order, so that the exports do not depend on the link order.
  std::vector<std::pair<const char*, InitFn>> inits = InitRegistration::All();
  std::sort(inits.begin(), inits.end(),
            [](const auto& a, const auto& b) { return strcmp(a.first, b.first) < 0; });
  for (const auto& init : inits) init.second(env, exports);
  return exports;
}

NODE_API_MODULE(uvkit, Init)
