#include "handle.h"

#include <unistd.h>

#include "readpool.h"

UVKIT_CALLBACK(onClose);
UVKIT_CALLBACK(onUnclaimed);

bool HandleBase::Setup(const Napi::CallbackInfo& info, size_t size, bool closeFdSlot) {
  // info[0]: the native Loop, which lib/ checks.
  env_ = info.Env();
  loop_ = LoopWrap::Unwrap(info[0].As<Napi::Object>());
  if (loop_ == nullptr) return false;
  handle_ = static_cast<uv_handle_t*>(malloc(size + (closeFdSlot ? sizeof(int) : 0)));
  handle_->data = nullptr;
  if (closeFdSlot) *reinterpret_cast<int*>(reinterpret_cast<char*>(handle_) + size) = -1;
  // Made while attached: callbacks run in the async context of creation.
  if (loop_->attached()) context_.Init(env_, "uvkit.Handle");
  TakeId(loop_->addon());
  return true;
}

void HandleBase::TakeId(AddonData* addon) {
  if (!addon->freeHandleIds.empty()) {
    id_ = addon->freeHandleIds.back();
    addon->freeHandleIds.pop_back();
    addon->handleById[id_] = this;
  } else {
    id_ = static_cast<uint32_t>(addon->handleById.size());
    addon->handleById.push_back(this);
  }
}

AddonData::~AddonData() {
  for (HandleBase* h : handleById) {
    if (h != nullptr) h->ForgetId();
  }
  for (readpool::Pool* pool : {&smallReadPool, &largeReadPool}) {
    if (pool->block != nullptr) readpool::Release(pool->block);
  }
}

HandleBase* HandleBase::ById(const Napi::CallbackInfo& info) {
  AddonData* addon = AddonData::Get(info.Env());
  uint32_t id = info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 0;
  HandleBase* h = FromId(addon, id);
  if (h == nullptr) Napi::TypeError::New(info.Env(), "no handle has this id").ThrowAsJavaScriptException();
  return h;
}

void HandleBase::Write(const Napi::CallbackInfo& info) {
  Napi::TypeError::New(info.Env(), "not a stream").ThrowAsJavaScriptException();
}

// write(id, data, hasCallback, sendHandle?)
static void WriteById(const Napi::CallbackInfo& info) {
  HandleBase* h = HandleBase::ById(info);
  if (h != nullptr) h->Write(info);
}

UVKIT_INIT(HandleWrite, [](Napi::Env env, Napi::Object exports) {
  exports.Set("write", Napi::Function::New<WriteById>(env, "write"));
});

void HandleBase::Adopt(const Napi::CallbackInfo& info, HandleBase* from) {
  env_ = info.Env();
  loop_ = from->loop_;
  from->Closing();
  handle_ = from->handle_;
  handle_->data = static_cast<HandleBase*>(this);
  from->handle_ = nullptr;
  if (from->pinned_) {
    from->pinned_ = false;
    from->Pin(false);
  }
  if (loop_->attached()) context_.Init(env_, "uvkit.Handle");
  TakeId(loop_->addon());
  Changed();
}

HandleBase* HandleBase::FromValue(Napi::Env env, Napi::Value value) {
  if (!value.IsObject()) return nullptr;
  Napi::Object obj = value.As<Napi::Object>();
  for (AddonData::HandleClass& c : AddonData::Get(env)->handleClasses) {
    if (obj.InstanceOf(c.constructor.Value())) return c.unwrap(obj);
  }
  return nullptr;
}

void HandleBase::InitFailed(int status, const char* syscall, InitRemains remains) {
  handle_->data = nullptr;  // OnClose then only frees it
  if (remains == InitRemains::kClose) {
    uv_close(handle_, OnClose);
    loop_->Touch();  // an attached loop must run to finish the close
  } else if (remains == InitRemains::kFree) {
    free(handle_);
  }
  handle_ = nullptr;
  if (!Napi::Env(env_).IsExceptionPending()) Throw(status, syscall);
}

HandleBase::~HandleBase() {
  if (id_ != 0) {  // then the AddonData is alive (~AddonData forgets the ids)
    AddonData* addon = AddonData::Get(env_);
    addon->handleById[id_] = nullptr;
    addon->freeHandleIds.push_back(id_);
  }
  if (handle_ != nullptr) {
    // Dropped while open: close it; the close callback frees the memory.
    handle_->data = nullptr;
    if (!uv_is_closing(handle_)) uv_close(handle_, OnClose);
  }
  context_.Destroy(env_);
}

bool HandleBase::Call(const JSCallback& cb, size_t argc, const napi_value* argv,
                      napi_value* result) {
  napi_value recv = owner();
  if (recv == nullptr) return false;
  napi_async_context ctx = context_.get();
  return loop_->CallJS(loop_->addon()->Callback(cb), recv, argc, argv,
                       ctx != nullptr ? ctx : loop_->asyncContext(), result);
}

void HandleBase::Changed() {
  bool want = pendingRequests_ > 0 ||
              (handle_ != nullptr && (uv_is_active(handle_) || uv_is_closing(handle_)));
  if (want != pinned_) {
    pinned_ = want;
    Pin(want);
  }
  loop_->Touch();
}

napi_value HandleBase::Error(int status, const char* syscall, napi_value path) {
  return MakeUVError(env(), owner(), status, syscall, path);
}

void HandleBase::Throw(int status, const char* syscall, napi_value path) {
  napi_throw(env(), Error(status, syscall, path));
}

void HandleBase::Unclaimed(int status, const char* syscall) {
  if (!loop_->CanCallJS()) return;
  napi_value err = Error(status, syscall);
  Call(kCb_onUnclaimed, 1, &err);
}

bool HandleBase::IsOpen(Napi::Env env) {
  if (handle_ != nullptr && !uv_is_closing(handle_)) return true;
  // lib/ raises HandleClosedError before reaching here; this guards misuse.
  napi_throw(env, MakeClosedError(env, owner()));
  return false;
}

void HandleBase::OnClose(uv_handle_t* h) {
  HandleBase* wrap = static_cast<HandleBase*>(h->data);
  if (h->type == UV_POLL && CloseFdAfter(h) >= 0) close(CloseFdAfter(h));  // see handle.h
  free(h);
  if (wrap == nullptr) return;
  wrap->handle_ = nullptr;
  CallbackScope scope(wrap->env());
  wrap->Call(kCb_onClose);
  wrap->context_.Destroy(wrap->env());
  wrap->Changed();
}

void HandleBase::Abandon(bool envEnding) {
  if (handle_ == nullptr) return;
  if (!uv_is_closing(handle_)) {
    Closing();
    uv_close(handle_, OnClose);
  }
  // From here on the wrap never touches the uv handle or the loop.
  handle_->data = nullptr;
  handle_ = nullptr;
  // The wrap's destructor destroys the async context, unless the environment
  // is going away with the loop.
  if (envEnding) context_.Forget();
  if (pinned_) {
    pinned_ = false;
    Pin(false);
  }
}

void HandleBase::Close(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return;
  Closing();
  uv_close(handle_, OnClose);
  Changed();
}

Napi::Value HandleBase::IsActive(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), handle_ != nullptr && uv_is_active(handle_));
}

Napi::Value HandleBase::HasRef(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), handle_ != nullptr && uv_has_ref(handle_));
}

void HandleBase::SetRef(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return;
  if (Truthy(info[0])) {
    uv_ref(handle_);
  } else {
    uv_unref(handle_);
  }
  Changed();
}

Napi::Value HandleBase::Fileno(const Napi::CallbackInfo& info) {
  if (!IsOpen(info.Env())) return info.Env().Undefined();
  uv_os_fd_t fd;
  int r = uv_fileno(handle_, &fd);
  if (r == UV_EINVAL) r = UV_EBADF;  // a handle type without an fd: EBADF as API.md says
  if (r != 0) {
    Throw(r, "fileno");
    return info.Env().Undefined();
  }
  return Napi::Number::New(info.Env(), fd);
}

// bufferSize(send, value): SO_SNDBUF (send) or SO_RCVBUF of a socket or
// pipe handle; value 0 reads the size, > 0 sets it. lib/ offers it on the
// handle types that have such a buffer (TCP, Pipe, UDP).
Napi::Value HandleBase::BufferSize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsOpen(env)) return env.Undefined();
  bool send = Truthy(info[0]);
  int value = info[1].As<Napi::Number>().Int32Value();
  int r = send ? uv_send_buffer_size(handle_, &value) : uv_recv_buffer_size(handle_, &value);
  if (r != 0) {
    Throw(r, send ? "sendBufferSize" : "receiveBufferSize");
    return env.Undefined();
  }
  return Napi::Number::New(env, value);
}

Napi::Value HandleBase::Id(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), id_); }
