// The fs functions: every libuv uv_fs_* call, synchronous (no callback: run
// inline on the calling thread, result returned or FSError thrown) or queued
// on libuv's threadpool with a request object. How a call is run and how its
// result or error reaches JavaScript is fs_request.h's; this file reads
// each function's arguments and names its uv_fs_* call.
#include <cstring>
#include <vector>

#include "constants.h"
#include "fs_request.h"

namespace fs {

// ---- the functions, in API order -------------------------------------------

#define FS_FN(name) napi_value name(napi_env env, napi_callback_info info)

// (loop, req, path)
#define PATH_ONLY(name, syscall, call)                                                     \
  FS_FN(name) {                                                                            \
    Args<3> a(env, info);                                                                  \
    PathArg path(env, a[2]);                                                               \
    return Dispatch(env, a.v, syscall, a[2], nullptr, [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) { \
      return call(l, r, path.c_str(), cb);                                                 \
    });                                                                                    \
  }

// (loop, req, fd)
#define FD_ONLY(name, syscall, call)                                                       \
  FS_FN(name) {                                                                            \
    Args<3> a(env, info);                                                                  \
    uv_file fd = Int(env, a[2]);                                                           \
    return Dispatch(env, a.v, syscall, nullptr, nullptr, [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) { \
      return call(l, r, fd, cb);                                                           \
    });                                                                                    \
  }

// (loop, req, path, newPath)
#define TWO_PATHS(name, syscall, call)                                                     \
  FS_FN(name) {                                                                            \
    Args<4> a(env, info);                                                                  \
    PathArg path(env, a[2]);                                                               \
    PathArg dest(env, a[3]);                                                               \
    return Dispatch(env, a.v, syscall, a[2], a[3], [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) { \
      return call(l, r, path.c_str(), dest.c_str(), cb);                                   \
    });                                                                                    \
  }

// (loop, req, path, mode or flags)
#define PATH_INT(name, syscall, call)                                                      \
  FS_FN(name) {                                                                            \
    Args<4> a(env, info);                                                                  \
    PathArg path(env, a[2]);                                                               \
    int n = Int(env, a[3]);                                                                \
    return Dispatch(env, a.v, syscall, a[2], nullptr, [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) { \
      return call(l, r, path.c_str(), n, cb);                                              \
    });                                                                                    \
  }

// (loop, req, path, newPath, flags)
#define TWO_PATHS_INT(name, syscall, call)                                                 \
  FS_FN(name) {                                                                            \
    Args<5> a(env, info);                                                                  \
    PathArg path(env, a[2]);                                                               \
    PathArg dest(env, a[3]);                                                               \
    int flags = Int(env, a[4]);                                                            \
    return Dispatch(env, a.v, syscall, a[2], a[3], [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) { \
      return call(l, r, path.c_str(), dest.c_str(), flags, cb);                            \
    });                                                                                    \
  }

// (loop, req, path | fd, x, y): two numbers read by `convert`: atime and
// mtime in seconds (Double; lib/ converts ms), or uid and gid (Uint, -1 =
// unchanged).
#define PATH_PAIR(name, syscall, call, convert)                                            \
  FS_FN(name) {                                                                            \
    Args<5> a(env, info);                                                                  \
    PathArg path(env, a[2]);                                                               \
    auto x = convert(env, a[3]);                                                           \
    auto y = convert(env, a[4]);                                                           \
    return Dispatch(env, a.v, syscall, a[2], nullptr, [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) { \
      return call(l, r, path.c_str(), x, y, cb);                                           \
    });                                                                                    \
  }

#define FD_PAIR(name, syscall, call, convert)                                              \
  FS_FN(name) {                                                                            \
    Args<5> a(env, info);                                                                  \
    uv_file fd = Int(env, a[2]);                                                           \
    auto x = convert(env, a[3]);                                                           \
    auto y = convert(env, a[4]);                                                           \
    return Dispatch(env, a.v, syscall, nullptr, nullptr, [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) { \
      return call(l, r, fd, x, y, cb);                                                     \
    });                                                                                    \
  }

PATH_ONLY(Stat, "stat", uv_fs_stat)
PATH_ONLY(Lstat, "lstat", uv_fs_lstat)
FD_ONLY(Fstat, "fstat", uv_fs_fstat)
PATH_ONLY(Statfs, "statfs", uv_fs_statfs)
PATH_ONLY(Unlink, "unlink", uv_fs_unlink)
PATH_ONLY(Mkdtemp, "mkdtemp", uv_fs_mkdtemp)
PATH_ONLY(Mkstemp, "mkstemp", uv_fs_mkstemp)
PATH_ONLY(Rmdir, "rmdir", uv_fs_rmdir)
PATH_ONLY(Readlink, "readlink", uv_fs_readlink)
PATH_ONLY(Realpath, "realpath", uv_fs_realpath)
PATH_ONLY(Opendir, "opendir", uv_fs_opendir)
FD_ONLY(Close, "close", uv_fs_close)
FD_ONLY(Fsync, "fsync", uv_fs_fsync)
FD_ONLY(Fdatasync, "fdatasync", uv_fs_fdatasync)
TWO_PATHS(Rename, "rename", uv_fs_rename)
TWO_PATHS(Link, "link", uv_fs_link)
PATH_INT(Mkdir, "mkdir", uv_fs_mkdir)
PATH_INT(Chmod, "chmod", uv_fs_chmod)
PATH_INT(Access, "access", uv_fs_access)
TWO_PATHS_INT(Symlink, "symlink", uv_fs_symlink)
TWO_PATHS_INT(Copyfile, "copyfile", uv_fs_copyfile)
PATH_PAIR(Utime, "utime", uv_fs_utime, Double)
PATH_PAIR(Lutime, "lutime", uv_fs_lutime, Double)
FD_PAIR(Futime, "futime", uv_fs_futime, Double)
PATH_PAIR(Chown, "chown", uv_fs_chown, Uint)
PATH_PAIR(Lchown, "lchown", uv_fs_lchown, Uint)
FD_PAIR(Fchown, "fchown", uv_fs_fchown, Uint)

// (loop, req, path)
FS_FN(Scandir) {
  Args<3> a(env, info);
  PathArg path(env, a[2]);
  return Dispatch(env, a.v, "scandir", a[2], nullptr, [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) {
    return uv_fs_scandir(l, r, path.c_str(), 0, cb);
  });
}

// (loop, req, path, flags, mode)
FS_FN(Open) {
  Args<5> a(env, info);
  PathArg path(env, a[2]);
  int flags = Int(env, a[3]);
  int mode = Int(env, a[4]);
  return Dispatch(env, a.v, "open", a[2], nullptr, [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) {
    return uv_fs_open(l, r, path.c_str(), flags, mode, cb);
  });
}

// (loop, req, fd, buffer, offset): reads into `buffer`, returns the count.
FS_FN(Read) {
  Args<5> a(env, info);
  uv_file fd = Int(env, a[2]);
  void* data = nullptr;
  size_t length = 0;
  napi_get_typedarray_info(env, a[3], nullptr, &length, &data, nullptr, nullptr);
  uv_buf_t buf = uv_buf_init(static_cast<char*>(data), static_cast<unsigned int>(length));
  int64_t offset = Int64(env, a[4]);
  return Dispatch(env, a.v, "read", nullptr, nullptr, [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) {
    return uv_fs_read(l, r, fd, &buf, 1, offset, cb);
  });
}

// (loop, req, fd, data, offset): data is a Uint8Array or an array of them
// (one vectored write). libuv copies the uv_buf_t list, not the bytes.
FS_FN(Write) {
  Args<5> a(env, info);
  uv_file fd = Int(env, a[2]);
  int64_t offset = Int64(env, a[4]);
  uv_buf_t one;
  std::vector<uv_buf_t> many;
  uv_buf_t* bufs = &one;
  unsigned int nbufs = 1;
  bool isArray = false;
  napi_is_array(env, a[3], &isArray);
  if (isArray) {
    uint32_t n = 0;
    napi_get_array_length(env, a[3], &n);
    many.resize(n);
    for (uint32_t i = 0; i < n; i++) {
      napi_value item;
      napi_get_element(env, a[3], i, &item);
      void* data = nullptr;
      size_t length = 0;
      napi_get_typedarray_info(env, item, nullptr, &length, &data, nullptr, nullptr);
      many[i] = uv_buf_init(static_cast<char*>(data), static_cast<unsigned int>(length));
    }
    bufs = many.data();
    nbufs = n;
  } else {
    void* data = nullptr;
    size_t length = 0;
    napi_get_typedarray_info(env, a[3], nullptr, &length, &data, nullptr, nullptr);
    one = uv_buf_init(static_cast<char*>(data), static_cast<unsigned int>(length));
  }
  return Dispatch(env, a.v, "write", nullptr, nullptr, [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) {
    if (cb == nullptr) return uv_fs_write(l, r, fd, bufs, nbufs, offset, cb);  // no JS meanwhile
    // Queued: the request writes from its own copy.
    size_t total = 0;
    for (unsigned int i = 0; i < nbufs; i++) total += bufs[i].len;
    char* owned = static_cast<char*>(malloc(total > 0 ? total : 1));
    size_t at = 0;
    for (unsigned int i = 0; i < nbufs; i++) {
      if (bufs[i].len > 0) memcpy(owned + at, bufs[i].base, bufs[i].len);
      at += bufs[i].len;
    }
    reinterpret_cast<FSReq*>(r)->owned = owned;
    uv_buf_t copy = uv_buf_init(owned, static_cast<unsigned int>(total));
    return uv_fs_write(l, r, fd, &copy, 1, offset, cb);
  });
}

// (loop, req, fd, mode)
FS_FN(Fchmod) {
  Args<4> a(env, info);
  uv_file fd = Int(env, a[2]);
  int mode = Int(env, a[3]);
  return Dispatch(env, a.v, "fchmod", nullptr, nullptr, [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) {
    return uv_fs_fchmod(l, r, fd, mode, cb);
  });
}

// (loop, req, fd, length)
FS_FN(Ftruncate) {
  Args<4> a(env, info);
  uv_file fd = Int(env, a[2]);
  int64_t length = Int64(env, a[3]);
  return Dispatch(env, a.v, "ftruncate", nullptr, nullptr, [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) {
    return uv_fs_ftruncate(l, r, fd, length, cb);
  });
}

DirHandle* GetDir(napi_env env, napi_value ext) {
  void* p = nullptr;
  napi_get_value_external(env, ext, &p);
  return static_cast<DirHandle*>(p);
}

// (loop, req, dirExternal, path): path only names the directory in errors.
// lib/ never lets two operations on one Dir overlap.
FS_FN(Readdir) {
  Args<4> a(env, info);
  DirHandle* h = GetDir(env, a[2]);
  if (h->dir != nullptr) {
    h->dir->dirents = h->entries;
    h->dir->nentries = kDirEntries;
  }
  return Dispatch(env, a.v, "readdir", a[3], nullptr, [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) {
    return uv_fs_readdir(l, r, h->dir, cb);
  }, h);
}

FS_FN(Closedir) {
  Args<4> a(env, info);
  DirHandle* h = GetDir(env, a[2]);
  return Dispatch(env, a.v, "closedir", a[3], nullptr, [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) {
    return uv_fs_closedir(l, r, h->dir, cb);
  }, h);
}

// (loop, req, outFd, inFd, inOffset, length)
FS_FN(Sendfile) {
  Args<6> a(env, info);
  uv_file out = Int(env, a[2]);
  uv_file in = Int(env, a[3]);
  int64_t offset = Int64(env, a[4]);
  size_t length = static_cast<size_t>(Int64(env, a[5]));
  return Dispatch(env, a.v, "sendfile", nullptr, nullptr, [&](uv_loop_t* l, uv_fs_t* r, uv_fs_cb cb) {
    return uv_fs_sendfile(l, r, out, in, offset, length, cb);
  });
}

// (requestExternal) → true if the request was still queued and is now cancelled.
FS_FN(Cancel) {
  Args<1> a(env, info);
  void* p = nullptr;
  napi_get_value_external(env, a[0], &p);
  napi_value v;
  napi_get_boolean(env, p != nullptr && uv_cancel(static_cast<uv_req_t*>(p)) == 0, &v);
  return v;
}

#undef PATH_ONLY
#undef FD_ONLY
#undef TWO_PATHS
#undef PATH_INT
#undef TWO_PATHS_INT
#undef PATH_PAIR
#undef FD_PAIR
#undef FS_FN

}  // namespace fs

void InitFS(Napi::Env env, Napi::Object exports) {
  using namespace fs;
  static const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {
      {"fsSetup", SetupStatArray}, {"fsCancel", Cancel},       {"fsStat", Stat},
      {"fsLstat", Lstat},       {"fsFstat", Fstat},         {"fsStatfs", Statfs},
      {"fsOpen", Open},         {"fsClose", Close},         {"fsRead", Read},
      {"fsWrite", Write},       {"fsUnlink", Unlink},       {"fsMkdir", Mkdir},
      {"fsMkdtemp", Mkdtemp},   {"fsMkstemp", Mkstemp},     {"fsRmdir", Rmdir},
      {"fsRename", Rename},     {"fsChmod", Chmod},         {"fsFchmod", Fchmod},
      {"fsLink", Link},         {"fsSymlink", Symlink},     {"fsReadlink", Readlink},
      {"fsRealpath", Realpath}, {"fsChown", Chown},         {"fsFchown", Fchown},
      {"fsLchown", Lchown},     {"fsFsync", Fsync},         {"fsFdatasync", Fdatasync},
      {"fsFtruncate", Ftruncate}, {"fsScandir", Scandir},   {"fsOpendir", Opendir},
      {"fsReaddir", Readdir},   {"fsClosedir", Closedir},   {"fsSendfile", Sendfile},
      {"fsCopyfile", Copyfile}, {"fsUtime", Utime},         {"fsFutime", Futime},
      {"fsLutime", Lutime},     {"fsAccess", Access},
  };
  for (const auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &fn);
    exports.Set(f.name, Napi::Value(env, fn));
  }
  exports.Set("fsDirEntries", Napi::Number::New(env, kDirEntries));
  Napi::Object c = ConstantsOf(env, exports);
#define SET(name) c.Set(#name, Napi::Number::New(env, name));
  SET(UV_FS_SYMLINK_DIR) SET(UV_FS_SYMLINK_JUNCTION)
  SET(UV_FS_COPYFILE_EXCL) SET(UV_FS_COPYFILE_FICLONE) SET(UV_FS_COPYFILE_FICLONE_FORCE)
  SET(UV_DIRENT_UNKNOWN) SET(UV_DIRENT_FILE) SET(UV_DIRENT_DIR) SET(UV_DIRENT_LINK)
  SET(UV_DIRENT_FIFO) SET(UV_DIRENT_SOCKET) SET(UV_DIRENT_CHAR) SET(UV_DIRENT_BLOCK)
#undef SET
}

UVKIT_INIT(FS, InitFS);
