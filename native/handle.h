// The base of every handle wrap. The uv handle lives in its own heap block,
// freed only by its close callback, so a close always lands even when the
// wrap is collected first. The wrap's JavaScript object is its owner, the
// lib/ handle itself (lib/handle.ts constructs it with the lib/ class as
// new.target): one object per handle. The wrap holds it weakly, and strongly
// ("pinned") only while the handle is active, closing or has requests in
// flight: an active handle works with no JS reference, an idle dropped one
// is collected and closed.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <type_traits>

#include "loop.h"

// Whether `userFd`, an fd the caller gave, still refers to the open file
// description of `ownFd` (the private dup made of it): kcmp(KCMP_FILE) where
// the kernel allows it, else the same st_dev/st_ino (which cannot tell a
// reopening of the same file apart). False once the caller closed it.
inline bool SameOpenFile(int userFd, int ownFd, dev_t dev, ino_t ino) {
  if (userFd < 0 || ownFd < 0 || fcntl(userFd, F_GETFD) < 0) return false;
  pid_t pid = getpid();
  long same = syscall(SYS_kcmp, pid, pid, 0 /* KCMP_FILE */, userFd, ownFd);
  if (same >= 0) return same == 0;
  struct stat st;
  return fstat(userFd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

class StreamWrap;

class HandleBase {
 public:
  virtual ~HandleBase();

  // The HandleBase of a native handle object of any type, or nullptr.
  static HandleBase* FromValue(Napi::Env env, Napi::Value value);
  uv_handle_t* uvHandle() const { return handle_; }  // null once closed
  // The lib/ handle, or an empty value once it was collected.
  Napi::Value owner() const {
    napi_value v = nullptr;
    napi_get_reference_value(env_, OwnerRef(), &v);
    return Napi::Value(env_, v);
  }
  LoopWrap* loop() const { return loop_; }
  napi_env env() const { return env_; }
  // The wrap's id, which lib/handle.ts keeps: the hot calls (write, UDP
  // send) are functions of the binding naming their handle by id, a vector
  // lookup, rather than methods, whose napi_unwrap of `this` (a private
  // property lookup) was ~15% of an echo server's user-space instructions.
  uint32_t id() const { return id_; }
  // The uv type of a HandleWrap whose init succeeded, also once closed.
  uv_handle_type type() const { return type_; }
  // The wrap whose id is info[0], or null after throwing a TypeError.
  static HandleBase* ById(const Napi::CallbackInfo& info);
  // The wrap with this id in the environment, or null.
  static HandleBase* FromId(AddonData* addon, uint32_t id) {
    return id < addon->handleById.size() ? addon->handleById[id] : nullptr;
  }
  void ForgetId() { id_ = 0; }
  // write(id, data, hasCallback, sendHandle?) of streams (native/stream.cc,
  // pipe.cc, tls.cc); other handles throw a TypeError.
  virtual void Write(const Napi::CallbackInfo& info);
  // This wrap as a stream (TCP, Pipe, TTY), else null.
  virtual StreamWrap* AsStream() { return nullptr; }

  // Calls the registered JS entry point `cb` with the owner as `this`;
  // `result`, if given, gets what it returned (on failure: unchanged).
  bool Call(const JSCallback& cb, size_t argc = 0, const napi_value* argv = nullptr,
            napi_value* result = nullptr);
  // Re-evaluates the pin and lets an attached loop re-arm; call after any
  // change of activity.
  void Changed();
  // A request holds the owner alive until it completes.
  void RequestStarted() { pendingRequests_++; }
  void RequestDone() { pendingRequests_--; Changed(); }
  // An error of the owner's class, for a callback argument or a throw.
  // `path`: the file the error names (FSEvent, FSPoll), or null.
  napi_value Error(int status, const char* syscall, napi_value path = nullptr);
  void Throw(int status, const char* syscall, napi_value path = nullptr);
  // A failure of a write or send made without a callback (held until its
  // read or receive callback returned) goes to onUnclaimed, as lib/ reports
  // such failures; nothing once the loop can no longer call JavaScript.
  void Unclaimed(int status, const char* syscall);
  // Closes the handle without calling JavaScript: in loop.close() for a
  // handle whose owner was collected, and in loop teardown (envEnding).
  void Abandon(bool envEnding);
  // Called just before uv_close, from close(), Abandon() and collection.
  virtual void Closing() {}
  // Sends what the handle held for the check phase (PollBatch::AddHolder).
  virtual void SendHeld() {}
  // What a failed T::InitHandle left of the uv handle: memory to free, a
  // handle registered with the loop to close (uv_spawn does this), or memory
  // libuv still refers to, to keep for good.
  enum class InitRemains { kFree, kClose, kKeep };
  static InitRemains AfterFailedInit(LoopWrap*, const void*) { return InitRemains::kFree; }
  // An fd closed once the handle's close has completed (after libuv has
  // removed it from epoll): a Poll handle made by Setup() is allocated with
  // this slot after it, -1 = none, which OnClose reads (fs_poll.cc makes
  // Poll handles of its own, without it). For the private dup of a
  // user-given fd (poll.cc).
  static int& CloseFdAfter(uv_handle_t* h) {
    return *reinterpret_cast<int*>(reinterpret_cast<char*>(h) + uv_handle_size(h->type));
  }

 protected:
  HandleBase() = default;
  // False, with nothing allocated, when the loop (info[0]) cannot be
  // unwrapped (it can fail only while a worker is being terminated).
  // `closeFdSlot`: allocate CloseFdAfter's slot after the handle.
  bool Setup(const Napi::CallbackInfo& info, size_t size, bool closeFdSlot);
  // The wrap's own reference to its object (napi_wrap's, which
  // Napi::ObjectWrap holds, weak), which pins by its count. Virtual rather
  // than a copy kept here: with the id table found from env_, every handle
  // is 16 bytes smaller (a 112-byte malloc chunk for a TCP wrap, not 128).
  virtual napi_ref OwnerRef() const = 0;
  // Disposes of the handle after a failed uv_*_init as `remains` says and
  // throws its error, unless InitHandle already threw one.
  void InitFailed(int status, const char* syscall, InitRemains remains);
  bool IsOpen(Napi::Env env);  // throws if closed
  // Instead of Setup(): takes over `from`'s open uv handle (a TLS wrap
  // securing a TCP or Pipe, native/tls.cc). From then on the handle's
  // callbacks reach this wrap, and `from` acts as closed (Closing() has run
  // for it, its handle_ is null, it no longer pins its owner).
  void Adopt(const Napi::CallbackInfo& info, HandleBase* from);
  // Defines class `name` of wrap T. The methods are named with "_$" first
  // ("_$close"): lib/handle.ts puts the prototype of the class under the
  // lib/ class's, where they must not meet the lib/ methods of the same
  // name, and a leading '_' marks them internal as lib/'s own internals.
  // The class is registered for FromValue when `fromValue`.
  template <class T>
  static Napi::Function DefineHandleClass(Napi::Env env, const char* name,
                                          std::vector<typename Napi::ObjectWrap<T>::PropertyDescriptor> props,
                                          bool fromValue) {
    std::vector<std::string> names;
    names.reserve(props.size());
    for (auto& p : props) {
      napi_property_descriptor& d = p;
      names.push_back(std::string("_$") + d.utf8name);
      d.utf8name = names.back().c_str();
    }
    Napi::Function ctor = Napi::ObjectWrap<T>::DefineClass(env, name, props);
    if (fromValue) {
      AddonData::Get(env)->handleClasses.push_back(
          {Napi::Persistent(ctor), [](Napi::Object o) -> HandleBase* { return T::Unwrap(o); }});
    }
    return ctor;
  }
  // The close callback every handle closes with; a wrap that closes with a
  // callback of its own ends with this one.
  static void OnClose(uv_handle_t* h);

  uv_handle_t* handle_ = nullptr;  // null once closed
  LoopWrap* loop_ = nullptr;       // valid while handle_ is set
  napi_env env_ = nullptr;
  AsyncContext context_;  // set when made while attached

  // The methods every handle shares (lib/handle.ts).
  void Close(const Napi::CallbackInfo& info);
  Napi::Value IsActive(const Napi::CallbackInfo& info);
  Napi::Value HasRef(const Napi::CallbackInfo& info);
  void SetRef(const Napi::CallbackInfo& info);
  Napi::Value Fileno(const Napi::CallbackInfo& info);
  Napi::Value BufferSize(const Napi::CallbackInfo& info);
  Napi::Value Id(const Napi::CallbackInfo& info);

 private:
  void TakeId(AddonData* addon);
  void Pin(bool on) {
    if (on) {
      napi_reference_ref(env_, OwnerRef(), nullptr);
    } else {
      napi_reference_unref(env_, OwnerRef(), nullptr);
    }
  }

 protected:
  // Among the 4-byte fields, not after handle_: every handle is 8 bytes
  // smaller (each TCP connection has one).
  uv_handle_type type_ = UV_UNKNOWN_HANDLE;

 private:
  uint32_t id_ = 0;
  int pendingRequests_ = 0;
  bool pinned_ = false;
};

// The wrap of handle type U as class T; `Base` is HandleBase or a layer
// between (StreamWrap, native/stream.h).
template <class T, class U, class Base = HandleBase>
class HandleWrap : public Napi::ObjectWrap<T>, public Base {
 public:
  // Runs the type's `static int InitHandle(LoopWrap*, U*, const CallbackInfo&)`
  // (the uv_*_init call); on failure throws T::kInitSyscall's error.
  explicit HandleWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<T>(info) {
    if (!this->Setup(info, sizeof(U), std::is_same<U, uv_poll_t>::value)) return;  // stays closed
    int r = T::InitHandle(this->loop_, uv(), info);
    if (r != 0) {
      this->InitFailed(r, T::kInitSyscall, T::AfterFailedInit(this->loop_, uv()));
      return;
    }
    this->handle_->data = static_cast<HandleBase*>(this);
    this->type_ = this->handle_->type;
    this->Changed();  // some handles (async) are active from the start
  }
 protected:
  U* uv() { return reinterpret_cast<U*>(this->handle_); }
  napi_ref OwnerRef() const override { return static_cast<const Napi::ObjectWrap<T>&>(*this); }

  // `name` class with the shared methods followed by the type's own.
  static Napi::Function Define(Napi::Env env, const char* name,
                               std::vector<typename Napi::ObjectWrap<T>::PropertyDescriptor> own) {
    using W = Napi::ObjectWrap<T>;
    std::vector<typename W::PropertyDescriptor> props = {
        W::InstanceMethod("close", &T::Close),
        W::InstanceMethod("isActive", &T::IsActive),
        W::InstanceMethod("hasRef", &T::HasRef),
        W::InstanceMethod("setRef", &T::SetRef),
        W::InstanceMethod("fileno", &T::Fileno),
        W::InstanceMethod("bufferSize", &T::BufferSize),
        W::InstanceMethod("id", &T::Id),
    };
    props.insert(props.end(), own.begin(), own.end());
    return HandleBase::DefineHandleClass<T>(env, name, std::move(props), true);
  }
};
