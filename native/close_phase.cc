// The loop's close phase for JavaScript objects that have no uv handle of
// their own to close: a closing timer (lib/timer.ts), and a handle given a
// close callback after it has closed (lib/handle.ts). Each gets an internal
// uv handle closed at once, so its onClose runs where and when libuv runs
// close callbacks, in the same order as those of real handles.
#include "loop.h"

UVKIT_CALLBACK(onClose);

struct ClosePhase::Entry {
  uv_idle_t handle;  // data null: internal
  ClosePhase* phase;
  napi_ref owner;         // strong until onClose has run
  AsyncContext context;   // made while attached: the callback runs in it
  Entry* prev = nullptr;
  Entry* next = nullptr;
};

// closePhase(owner)
Napi::Value ClosePhase::Add(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Entry* e = new Entry();
  e->phase = this;
  napi_create_reference(env, info[0], 1, &e->owner);
  if (loop_->attached()) e->context.Init(env, "uvkit.Handle");
  e->next = first_;
  if (first_ != nullptr) first_->prev = e;
  first_ = e;
  uv_idle_init(loop_->uv(), &e->handle);
  e->handle.data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&e->handle), OnClosed);
  loop_->Touch();  // an attached loop must run to finish the close
  return env.Undefined();
}

void ClosePhase::OnClosed(uv_handle_t* h) {
  Entry* e = reinterpret_cast<Entry*>(h);
  ClosePhase* self = e->phase;
  LoopWrap* loop = self->loop_;
  napi_env env = loop->env();
  if (e->prev != nullptr) e->prev->next = e->next;
  else self->first_ = e->next;
  if (e->next != nullptr) e->next->prev = e->prev;
  {
    CallbackScope scope(env);
    napi_value owner = nullptr;
    napi_get_reference_value(env, e->owner, &owner);
    napi_async_context ctx = e->context.get();
    if (owner != nullptr) {
      loop->CallJS(loop->addon()->Callback(kCb_onClose), owner, 0, nullptr,
                   ctx != nullptr ? ctx : loop->asyncContext());
    }
  }
  napi_delete_reference(env, e->owner);
  // As a handle wrap does: the environment going away takes the context with it.
  if (loop->tearingDown() && loop->addon()->ending) {
    e->context.Forget();
  } else {
    e->context.Destroy(env);
  }
  delete e;
}

void ClosePhase::List(Napi::Array list, uint32_t* n) {
  Napi::Env env = list.Env();
  for (Entry* e = first_; e != nullptr; e = e->next) {
    napi_value v = nullptr;
    napi_get_reference_value(env, e->owner, &v);
    if (v != nullptr) list.Set((*n)++, Napi::Value(env, v));
  }
}
