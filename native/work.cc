// queueWork's native half: each loop has a mailbox (an internal uv_async_t
// plus a queue) into which the pool's worker threads deliver serialized
// results, so `done` runs on the loop even while it is blocked in run().
// The pool itself is lib/work.ts.
#include <cstring>

#include "loop.h"
#include "mailbox.h"

UVKIT_CALLBACK(onWorkDone);

Napi::Value LoopWrap::WorkMailbox(const Napi::CallbackInfo& info) {
  if (!CheckUsable(info.Env())) return info.Env().Undefined();
  if (workAsync_ == nullptr) {
    workAsync_ = static_cast<uv_async_t*>(malloc(sizeof(uv_async_t)));
    uv_async_init(loop_, workAsync_, OnWorkMail);
    workAsync_->data = nullptr;  // not a user handle: loop.handles skips it
    uv_unref(reinterpret_cast<uv_handle_t*>(workAsync_));
    workMailbox_ = Mailbox::Open(workAsync_);
  }
  return Napi::Number::New(info.Env(), static_cast<double>(workMailbox_));
}

// workRef(+1 | -1): the loop stays alive while requests are outstanding.
void LoopWrap::WorkRef(const Napi::CallbackInfo& info) {
  if (!CheckUsable(info.Env()) || workAsync_ == nullptr) return;
  workPending_ += info[0].As<Napi::Number>().Int32Value();
  uv_handle_t* h = reinterpret_cast<uv_handle_t*>(workAsync_);
  if (workPending_ > 0) {
    uv_ref(h);
  } else {
    uv_unref(h);
  }
  Touch();
}

void LoopWrap::OnWorkMail(uv_async_t* h) {
  LoopWrap* self = static_cast<LoopWrap*>(h->loop->data);
  std::vector<MailMessage> mail = Mailbox::Take(self->workMailbox_);
  napi_env env = self->env_;
  for (MailMessage& m : mail) {
    CallbackScope scope(env);
    napi_value owner = self->owner_.Value();
    if (owner == nullptr) return;
    napi_value argv[3];
    napi_create_double(env, m.request, &argv[0]);
    napi_create_int32(env, m.status, &argv[1]);
    void* data;
    napi_create_buffer_copy(env, m.bytes.size(), m.bytes.data(), &data, &argv[2]);
    self->CallJS(self->addon_->Callback(kCb_onWorkDone), owner, 3, argv, nullptr);
  }
}

void LoopWrap::CloseWorkMailbox() {
  if (workAsync_ == nullptr) return;
  Mailbox::Close(workMailbox_);
  uv_close(reinterpret_cast<uv_handle_t*>(workAsync_), [](uv_handle_t* h) { free(h); });
  workAsync_ = nullptr;
  workMailbox_ = 0;
  workPending_ = 0;
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
