// uv_stat_t as the package's Stat object (shared by fs, FSPoll):
// { dev, mode, nlink, uid, gid, rdev, ino, size, blksize, blocks, flags, gen,
//   atimeMs, mtimeMs, ctimeMs, birthtimeMs }, times in ms as Node's fs.Stats.
#pragma once

#include "uvkit.h"

inline double TimespecToMs(const uv_timespec_t& t) {
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

inline Napi::Object StatToJS(Napi::Env env, const uv_stat_t* s) {
  Napi::Object o = Napi::Object::New(env);
#define F(name) o.Set(#name, Napi::Number::New(env, static_cast<double>(s->st_##name)));
  F(dev) F(mode) F(nlink) F(uid) F(gid) F(rdev) F(ino) F(size) F(blksize) F(blocks) F(flags) F(gen)
#undef F
  o.Set("atimeMs", Napi::Number::New(env, TimespecToMs(s->st_atim)));
  o.Set("mtimeMs", Napi::Number::New(env, TimespecToMs(s->st_mtim)));
  o.Set("ctimeMs", Napi::Number::New(env, TimespecToMs(s->st_ctim)));
  o.Set("birthtimeMs", Napi::Number::New(env, TimespecToMs(s->st_birthtim)));
  return o;
}
