// The fs functions: every libuv uv_fs_* call, synchronous (no callback: run
// inline on the calling thread, result returned or FSError thrown) or queued
// on libuv's threadpool with a request object.
//
// Each entry point takes (nativeLoop, req, ...args). `req` is the lib/
// FSRequest for a queued call, or undefined for a synchronous one. A queued
// call returns an External naming the native request (for cancel()); its
// completion calls the registered `onFSDone(status, result)` with the
// FSRequest as `this`. The FSRequest is held strongly until then, and it in
// turn holds what libuv uses (buffers, the Dir), so nothing is copied.
//
// Stat and statfs results are written into one Float64Array per environment
// that lib/ reads at once, so no object is built natively on that hot path
// (stat.h).
#include <cstring>
#include <string>
#include <vector>

#include "features.h"
#include "loop.h"
#include "stat.h"

UVKIT_CALLBACK(makeFSError);
UVKIT_CALLBACK(onFSDone);

namespace {

// Entries fetched by one readdir call (uv_dir_t.nentries).
constexpr size_t kDirEntries = 32;

// A directory opened by opendir: the libuv uv_dir_t and the entry slots that
// readdir fills. Held by an External with a finalizer that closes it if the
// user never did.
struct DirHandle {
  uv_dir_t* dir;  // null once closed
  uv_dirent_t entries[kDirEntries];
};

// A queued request. `req` comes first: the uv_fs_t pointer is the FSReq.
struct FSReq {
  uv_fs_t req;
  LoopWrap* loop;
  napi_ref owner;  // the lib/ FSRequest, strong until completion
  DirHandle* dir;  // readdir / closedir
  // write: the bytes, copied (the caller's ArrayBuffer may be detached while
  // the request waits in the threadpool).
  char* owned = nullptr;
  ~FSReq() { free(owned); }
};

// A path argument as a C string; short paths stay on the stack.
class PathArg {
 public:
  PathArg(napi_env env, napi_value value) {
    size_t len = 0;
    napi_get_value_string_utf8(env, value, stack_, sizeof(stack_), &len);
    // A truncated copy ends within 4 bytes of the buffer's end (N-API never
    // splits a UTF-8 sequence); anything shorter is the whole string.
    if (len + 4 < sizeof(stack_)) {
      str_ = stack_;
      return;
    }
    napi_get_value_string_utf8(env, value, nullptr, 0, &len);
    heap_.resize(len + 1);
    napi_get_value_string_utf8(env, value, &heap_[0], len + 1, &len);
    str_ = heap_.c_str();
  }
  const char* c_str() const { return str_; }

 private:
  char stack_[1024];
  std::string heap_;
  const char* str_;
};

template <size_t N>
struct Args {
  napi_value v[N];
  Args(napi_env env, napi_callback_info info) {
    size_t argc = N;
    napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
    for (size_t i = argc; i < N; i++) napi_get_undefined(env, &v[i]);
  }
  napi_value operator[](size_t i) const { return v[i]; }
};

int32_t Int(napi_env env, napi_value v) {
  int32_t n = 0;
  napi_get_value_int32(env, v, &n);
  return n;
}

uint32_t Uint(napi_env env, napi_value v) {
  uint32_t n = 0;
  napi_get_value_uint32(env, v, &n);
  return n;
}

double Double(napi_env env, napi_value v) {
  double n = 0;
  napi_get_value_double(env, v, &n);
  return n;
}

// Offsets and lengths arrive as doubles (lib/ checks they are safe integers).
int64_t Int64(napi_env env, napi_value v) { return static_cast<int64_t>(Double(env, v)); }

napi_value String(napi_env env, const char* s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value Undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

// An FSError built by lib/ from (errno, syscall, path, dest); path and dest
// may be null.
napi_value FSError(napi_env env, int status, const char* syscall, napi_value path,
                   napi_value dest) {
  AddonData* addon = AddonData::Get(env);
  napi_value argv[4];
  napi_create_int32(env, status, &argv[0]);
  argv[1] = String(env, syscall);
  argv[2] = path != nullptr ? path : Undefined(env);
  argv[3] = dest != nullptr ? dest : Undefined(env);
  napi_value err = nullptr;
  napi_call_function(env, Undefined(env), addon->Callback(kCb_makeFSError), 4, argv, &err);
  return err;
}

// Directory entries go out as a flat [name, type, name, type, ...] array;
// lib/ makes the { name, type } objects (cheaper there than property sets).
void SetEntry(napi_env env, napi_value list, uint32_t i, const uv_dirent_t& ent) {
  napi_value type;
  napi_create_int32(env, ent.type, &type);
  napi_set_element(env, list, i * 2, String(env, ent.name));
  napi_set_element(env, list, i * 2 + 1, type);
}

void FinalizeDir(napi_env env, void* data, void*) {
  DirHandle* h = static_cast<DirHandle*>(data);
  if (h->dir != nullptr) {
    // Dropped unclosed: close it synchronously (no loop is touched).
    uv_fs_t req;
    uv_fs_closedir(nullptr, &req, h->dir, nullptr);
    uv_fs_req_cleanup(&req);
  }
  delete h;
}

// The result of a successful request, before uv_fs_req_cleanup.
napi_value Result(napi_env env, uv_fs_t* req) {
  napi_value v;
  switch (req->fs_type) {
    case UV_FS_STAT:
    case UV_FS_LSTAT:
    case UV_FS_FSTAT:
      StatToArray(AddonData::Get(env), 0, &req->statbuf);
      return Undefined(env);
    case UV_FS_STATFS: {
      const uv_statfs_t* s = static_cast<uv_statfs_t*>(req->ptr);
      double* a = AddonData::Get(env)->fsStatValues;
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
      return Undefined(env);
    }
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

// A request that completed while its loop is being torn down (no JavaScript
// will see it): release what it opened.
void Discard(uv_fs_t* req) {
  if (req->result < 0) return;
  uv_fs_t sync;
  switch (req->fs_type) {
    case UV_FS_OPEN:
    case UV_FS_MKSTEMP:
      uv_fs_close(nullptr, &sync, static_cast<uv_file>(req->result), nullptr);
      break;
    case UV_FS_OPENDIR:
      uv_fs_closedir(nullptr, &sync, static_cast<uv_dir_t*>(req->ptr), nullptr);
      break;
    default:
      return;
  }
  uv_fs_req_cleanup(&sync);
}

void OnDone(uv_fs_t* req) {
  FSReq* fr = reinterpret_cast<FSReq*>(req);
  LoopWrap* loop = fr->loop;
  napi_env env = loop->env();
  CallbackScope scope(env);
  napi_value owner;
  napi_get_reference_value(env, fr->owner, &owner);
  napi_delete_reference(env, fr->owner);
  ssize_t status = req->result;
  if (req->fs_type == UV_FS_CLOSEDIR) {
    if (status == UV_ECANCELED) {
      req->ptr = nullptr;  // never closed: keep the uv_dir_t (cleanup would free it)
    } else {
      fr->dir->dir = nullptr;  // closed and freed by libuv
    }
  }
  napi_value argv[2];
  bool deliver = !loop->tearingDown();
  if (!deliver) {
    Discard(req);
  } else if (status < 0) {
    napi_create_int32(env, static_cast<int32_t>(status), &argv[0]);
    argv[1] = Undefined(env);
  } else {
    napi_create_int32(env, 0, &argv[0]);
    argv[1] = Result(env, req);
  }
  uv_fs_req_cleanup(req);
  delete fr;
  if (deliver && owner != nullptr) {
    loop->CallJS(loop->addon()->Callback(kCb_onFSDone), owner, 2, argv, loop->asyncContext());
  }
}

LoopWrap* GetLoop(napi_env env, napi_value value) {
  void* p = nullptr;
  napi_unwrap(env, value, &p);
  LoopWrap* loop = static_cast<LoopWrap*>(p);
  if (loop == nullptr) {
    // lib/ passes a Loop's native object; this guards misuse.
    napi_throw_type_error(env, nullptr, "loop must be a Loop");
    return nullptr;
  }
  return loop->CheckUsable(env) ? loop : nullptr;
}

// Runs `start(uvLoop, req, cb)` (the uv_fs_* call) synchronously when
// argv[1] is undefined, else queues it for the FSRequest argv[1]. `path` and
// `dest` name the files in an error.
template <class F>
napi_value Dispatch(napi_env env, const napi_value* argv, const char* syscall, napi_value path,
                    napi_value dest, F&& start, DirHandle* dir = nullptr) {
  LoopWrap* loop = GetLoop(env, argv[0]);
  if (loop == nullptr) return nullptr;
  napi_valuetype type;
  napi_typeof(env, argv[1], &type);
  if (type != napi_object) {
    uv_fs_t req;
    int r = start(loop->uv(), &req, nullptr);
    napi_value result = nullptr;
    if (r < 0) {
      napi_throw(env, FSError(env, r, syscall, path, dest));
    } else {
      if (req.fs_type == UV_FS_CLOSEDIR) dir->dir = nullptr;
      result = Result(env, &req);
    }
    uv_fs_req_cleanup(&req);
    return result;
  }
  FSReq* fr = new FSReq;  // uv_fs_*'s INIT sets the request's fields
  fr->loop = loop;
  fr->dir = dir;
  int r = start(loop->uv(), &fr->req, OnDone);
  if (r < 0) {
    uv_fs_req_cleanup(&fr->req);
    delete fr;
    napi_throw(env, FSError(env, r, syscall, path, dest));
    return nullptr;
  }
  napi_create_reference(env, argv[1], 1, &fr->owner);
  napi_value ext;
  napi_create_external(env, fr, nullptr, nullptr, &ext);
  loop->Touch();  // an attached loop now has work: keep Node alive
  return ext;
}

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

// (Float64Array of kStatSlots stats) → where stat and statfs results are written.
FS_FN(Setup) {
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

#undef PATH_ONLY
#undef FD_ONLY
#undef TWO_PATHS
#undef PATH_INT
#undef TWO_PATHS_INT
#undef PATH_PAIR
#undef FD_PAIR
#undef FS_FN

}  // namespace

void InitFS(Napi::Env env, Napi::Object exports) {
  static const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {
      {"fsSetup", Setup},       {"fsCancel", Cancel},       {"fsStat", Stat},
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
}

UVKIT_INIT(FS, InitFS);
