// queueWork's native half: each loop has a mailbox (an internal uv_async_t
// plus a queue) into which the pool's worker threads deliver serialized
// results, so `done` runs on the loop even while it is blocked in run().
// The pool itself is lib/work.ts.
#include <cstring>

#include "loop.h"
#include "mailbox.h"

UVKIT_CALLBACK(onWorkDone);

struct WorkMailbox::Async {
  uv_async_t async;  // data null: not a user handle, loop.handles skips it
  WorkMailbox* box;
};

Napi::Value WorkMailbox::Open(const Napi::CallbackInfo& info) {
  if (async_ == nullptr) {
    async_ = new Async();
    async_->box = this;
    uv_async_init(loop_->uv(), &async_->async, OnMail);
    async_->async.data = nullptr;
    uv_unref(reinterpret_cast<uv_handle_t*>(&async_->async));
    id_ = Mailbox::Open(&async_->async);
  }
  return Napi::Number::New(info.Env(), static_cast<double>(id_));
}

// workRef(+1 | -1): the loop stays alive while requests are outstanding.
Napi::Value WorkMailbox::Ref(const Napi::CallbackInfo& info) {
  if (async_ == nullptr) return info.Env().Undefined();
  pending_ += info[0].As<Napi::Number>().Int32Value();
  uv_handle_t* h = reinterpret_cast<uv_handle_t*>(&async_->async);
  if (pending_ > 0) {
    uv_ref(h);
  } else {
    uv_unref(h);
  }
  loop_->Touch();
  return info.Env().Undefined();
}

void WorkMailbox::OnMail(uv_async_t* h) {
  WorkMailbox* self = reinterpret_cast<Async*>(h)->box;
  LoopWrap* loop = self->loop_;
  std::vector<MailMessage> mail = Mailbox::Take(self->id_);
  napi_env env = loop->env();
  for (MailMessage& m : mail) {
    CallbackScope scope(env);
    napi_value owner = loop->owner();
    if (owner == nullptr) return;
    napi_value argv[3];
    napi_create_double(env, m.request, &argv[0]);
    napi_create_int32(env, m.status, &argv[1]);
    void* data;
    napi_create_buffer_copy(env, m.bytes.size(), m.bytes.data(), &data, &argv[2]);
    loop->CallJS(loop->addon()->Callback(kCb_onWorkDone), owner, 3, argv, nullptr);
  }
}

void WorkMailbox::Close() {
  if (async_ == nullptr) return;
  Mailbox::Close(id_);
  uv_close(reinterpret_cast<uv_handle_t*>(&async_->async),
           [](uv_handle_t* h) { delete reinterpret_cast<Async*>(h); });
  async_ = nullptr;
  id_ = 0;
  pending_ = 0;
}

// The status lib/work.ts reads as "the pool thread died running this job".
static const int kThreadDied = 3;

// workBegin(mailbox, request): this pool thread starts a job.
static void WorkBegin(const Napi::CallbackInfo& info) {
  AddonData* addon = AddonData::Get(info.Env());
  addon->workMailbox = static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue());
  addon->workRequest = info[1].As<Napi::Number>().DoubleValue();
}

// workExitReason(text): the thread is exiting (process 'exit' in the worker).
static void WorkExitReason(const Napi::CallbackInfo& info) {
  AddonData::Get(info.Env())->workExitReason = info[0].As<Napi::String>().Utf8Value();
}

// From the environment cleanup hook (addon.cc): this thread is going away,
// however it ends (top-level throw, process.exit(), out of memory,
// terminate()); a job it was running fails on its loop instead of never
// finishing. No JavaScript runs here.
void WorkThreadEnding(AddonData* addon) {
  if (addon->workMailbox == 0) return;
  MailMessage m;
  m.request = addon->workRequest;
  m.status = kThreadDied;
  m.bytes.assign(addon->workExitReason.begin(), addon->workExitReason.end());
  Mailbox::Send(addon->workMailbox, &m);
  addon->workMailbox = 0;
}

// workDeliver(mailbox, request, status, bytes), from any thread.
static Napi::Value WorkDeliver(const Napi::CallbackInfo& info) {
  uint64_t id = static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue());
  AddonData* addon = AddonData::Get(info.Env());
  if (addon->workMailbox == id && addon->workRequest == info[1].As<Napi::Number>().DoubleValue()) {
    addon->workMailbox = 0;  // this pool thread's job is done
  }
  Napi::Uint8Array bytes = info[3].As<Napi::Uint8Array>();
  MailMessage m;
  m.request = info[1].As<Napi::Number>().DoubleValue();
  m.status = info[2].As<Napi::Number>().Int32Value();
  m.bytes.resize(bytes.ByteLength());
  if (!m.bytes.empty()) memcpy(m.bytes.data(), bytes.Data(), bytes.ByteLength());
  return Napi::Boolean::New(info.Env(), Mailbox::Send(id, &m));
}

void InitWork(Napi::Env env, Napi::Object exports) {
  exports.Set("workDeliver", Napi::Function::New<WorkDeliver>(env, "workDeliver"));
  exports.Set("workBegin", Napi::Function::New<WorkBegin>(env, "workBegin"));
  exports.Set("workExitReason", Napi::Function::New<WorkExitReason>(env, "workExitReason"));
}

UVKIT_INIT(Work, InitWork);
