// The libuv constants lib/constants.ts exports (at the top level and in
// `constants`): each native file sets those of its own area in
// `binding.constants`, so a handle type's constants live with its code.
#pragma once

#include <napi.h>

// binding.constants, made by whichever native file sets one first.
inline Napi::Object ConstantsOf(Napi::Env env, Napi::Object exports) {
  Napi::Value c = exports.Get("constants");
  if (c.IsObject()) return c.As<Napi::Object>();
  Napi::Object made = Napi::Object::New(env);
  exports.Set("constants", made);
  return made;
}
