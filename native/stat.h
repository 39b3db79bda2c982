// uv_stat_t as the package's Stat, shared by fs and FSPoll: native writes the
// fields into the environment's stat Float64Array (AddonData::fsStatValues,
// set up by lib/stat.ts) and lib/stat.ts reads them into the object at once,
// so no object is built natively on the hot fs stat path.
#pragma once

#include "uvkit.h"

// Doubles per stat: dev, mode, nlink, uid, gid, rdev, ino, size, blksize,
// blocks, flags, gen, atimeMs, mtimeMs, ctimeMs, birthtimeMs (lib/stat.ts's order).
constexpr size_t kStatFields = 16;
// Stats the array holds at once: FSPoll passes prev and curr together.
constexpr size_t kStatSlots = 2;

// Writes stat `s` into slot `slot` of the stat array.
inline void StatToArray(AddonData* addon, size_t slot, const uv_stat_t* s) {
  double* a = addon->fsStatValues + slot * kStatFields;
  a[0] = static_cast<double>(s->st_dev);
  a[1] = static_cast<double>(s->st_mode);
  a[2] = static_cast<double>(s->st_nlink);
  a[3] = static_cast<double>(s->st_uid);
  a[4] = static_cast<double>(s->st_gid);
  a[5] = static_cast<double>(s->st_rdev);
  a[6] = static_cast<double>(s->st_ino);
  a[7] = static_cast<double>(s->st_size);
  a[8] = static_cast<double>(s->st_blksize);
  a[9] = static_cast<double>(s->st_blocks);
  a[10] = static_cast<double>(s->st_flags);
  a[11] = static_cast<double>(s->st_gen);
  // Milliseconds as Node computes them: sec * 1e3 + nsec / 1e6.
  const uv_timespec_t* t[4] = {&s->st_atim, &s->st_mtim, &s->st_ctim, &s->st_birthtim};
  for (int i = 0; i < 4; i++) {
    a[12 + i] = static_cast<double>(t[i]->tv_sec) * 1e3 + static_cast<double>(t[i]->tv_nsec) / 1e6;
  }
}
