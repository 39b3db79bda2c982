// What a successful fs request gives JavaScript. Stat and statfs results are
// written into one Float64Array per environment that lib/ reads at once, so
// no object is built natively on that hot path (stat.h); directory entries
// go out as one flat array.
#include "features.h"
#include "fs_request.h"
#include "stat.h"

namespace fs {

// Directory entries go out as a flat [name, type, name, type, ...] array;
// lib/ makes the { name, type } objects (cheaper there than property sets).
static void SetEntry(napi_env env, napi_value list, uint32_t i, const uv_dirent_t& ent) {
  napi_value type;
  napi_create_int32(env, ent.type, &type);
  napi_set_element(env, list, i * 2, String(env, ent.name));
  napi_set_element(env, list, i * 2 + 1, type);
}

static void FinalizeDir(napi_env env, void* data, void*) {
  DirHandle* h = static_cast<DirHandle*>(data);
  if (h->dir != nullptr) {
    // Dropped unclosed: close it synchronously (no loop is touched).
    uv_fs_t req;
    uv_fs_closedir(nullptr, &req, h->dir, nullptr);
    uv_fs_req_cleanup(&req);
  }
  delete h;
}

static void StatfsToArray(AddonData* addon, const uv_statfs_t* s) {
  double* a = addon->fsStatValues;
  a[0] = static_cast<double>(s->f_type);
  a[1] = static_cast<double>(s->f_bsize);
  a[2] = static_cast<double>(s->f_blocks);
  a[3] = static_cast<double>(s->f_bfree);
  a[4] = static_cast<double>(s->f_bavail);
  a[5] = static_cast<double>(s->f_files);
  a[6] = static_cast<double>(s->f_ffree);
  // f_frsize (libuv 1.52) took the place of f_spare[0], which older
  // libuv leaves unset: read it only where it is there.
  a[7] = Features::Get().statfsFrsize ? static_cast<double>(reinterpret_cast<const uint64_t*>(s)[7]) : -1;
}

napi_value Result(napi_env env, uv_fs_t* req) {
  napi_value v;
  switch (req->fs_type) {
    case UV_FS_STAT:
    case UV_FS_LSTAT:
    case UV_FS_FSTAT:
      StatToArray(AddonData::Get(env), 0, &req->statbuf);
      return Undefined(env);
    case UV_FS_STATFS:
      StatfsToArray(AddonData::Get(env), static_cast<uv_statfs_t*>(req->ptr));
      return Undefined(env);
    case UV_FS_OPEN:
    case UV_FS_READ:
    case UV_FS_WRITE:
    case UV_FS_SENDFILE:
      napi_create_double(env, static_cast<double>(req->result), &v);
      return v;
    case UV_FS_MKDTEMP:
      return String(env, req->path);
    case UV_FS_MKSTEMP: {
      napi_value fd;
      napi_create_int32(env, static_cast<int32_t>(req->result), &fd);
      napi_create_object(env, &v);
      napi_set_named_property(env, v, "path", String(env, req->path));
      napi_set_named_property(env, v, "fd", fd);
      return v;
    }
    case UV_FS_READLINK:
    case UV_FS_REALPATH:
      return String(env, static_cast<const char*>(req->ptr));
    case UV_FS_SCANDIR: {
      // Each uv_fs_scandir_next() frees the entry it returned before.
      napi_create_array_with_length(env, static_cast<size_t>(req->result) * 2, &v);
      uv_dirent_t ent;
      for (uint32_t i = 0; uv_fs_scandir_next(req, &ent) == 0; i++) SetEntry(env, v, i, ent);
      return v;
    }
    case UV_FS_OPENDIR: {
      DirHandle* h = new DirHandle();
      h->dir = static_cast<uv_dir_t*>(req->ptr);
      napi_create_external(env, h, FinalizeDir, nullptr, &v);
      return v;
    }
    case UV_FS_READDIR: {
      const uv_dir_t* dir = static_cast<uv_dir_t*>(req->ptr);
      napi_create_array_with_length(env, static_cast<size_t>(req->result) * 2, &v);
      for (uint32_t i = 0; i < static_cast<uint32_t>(req->result); i++) SetEntry(env, v, i, dir->dirents[i]);
      return v;
    }
    default:
      return Undefined(env);
  }
}

// fsSetup(Float64Array of kStatSlots stats): where stat and statfs results are written.
napi_value SetupStatArray(napi_env env, napi_callback_info info) {
  static_assert(kStatSlots * kStatFields == 32, "the message below names the length");
  Args<1> a(env, info);
  AddonData* addon = AddonData::Get(env);
  void* data = nullptr;
  size_t length = 0;
  napi_typedarray_type type;
  napi_get_typedarray_info(env, a[0], &type, &length, &data, nullptr, nullptr);
  if (type != napi_float64_array || length < kStatSlots * kStatFields) {
    napi_throw_type_error(env, nullptr, "fs stat array must be a Float64Array of 32");
    return nullptr;
  }
  addon->fsStatArray = Napi::Persistent(Napi::Value(env, a[0]));
  addon->fsStatValues = static_cast<double*>(data);
  return nullptr;
}

}  // namespace fs
