#include "stream.h"

#include <cstring>

#include "readpool.h"

struct PollBatch::Check {
  uv_check_t check;
  PollBatch* batch;
};

void PollBatch::StartCheck() {
  if (check_ == nullptr) {
    check_ = new Check();
    uv_check_init(loop_->uv(), &check_->check);
    check_->check.data = nullptr;  // internal: loop.handles skips it
    check_->batch = this;
    uv_unref(reinterpret_cast<uv_handle_t*>(&check_->check));
  }
  uv_check_start(&check_->check, OnCheck);
}

UVKIT_CALLBACK(onReadBatch);

bool PollBatch::AddRead(StreamWrap* stream, readpool::Block* pool, uint32_t offset, uint32_t len) {
  // Attached, each callback drains microtasks before the next (Node's
  // order), which one call for many reads cannot keep.
  if (delivering_ || loop_->attached()) return false;
  // One pool per batch: lib/ slices entries from the one it is given.
  if (!reads_.empty() && readPool_ != nullptr && pool != readPool_) {
    CallbackScope scope(loop_->env());
    DeliverReads();
  }
  if (readPool_ == nullptr) {
    readPool_ = pool;
    readpool::Hold(pool);
  }
  PushRead(stream->id(), offset, len);
  hasPollReads_ = true;
  return true;
}

void PollBatch::AddRedeliver(StreamWrap* stream) {
  PushRead(stream->id(), 0xffffffff, 0);  // lib/stream.ts REDELIVER
}

void PollBatch::PushRead(uint32_t id, uint32_t offset, uint32_t len) {
  if (reads_.empty()) StartCheck();
  reads_.push_back(id);
  reads_.push_back(offset);
  reads_.push_back(len);
}

// A typed array over memory of its own, made once per loop and held.
static void* SharedArray(napi_env env, napi_typedarray_type type, size_t bytes,
                         Napi::Reference<Napi::Value>* ref) {
  void* data = nullptr;
  napi_value ab, array;
  size_t length = type == napi_uint8_array ? bytes : bytes / 4;
  if (napi_create_arraybuffer(env, bytes, &data, &ab) != napi_ok ||
      napi_create_typedarray(env, type, length, ab, 0, &array) != napi_ok) {
    return nullptr;
  }
  *ref = Napi::Persistent(Napi::Value(env, array));
  return data;
}

bool PollBatch::MakeShared() {
  if (heldData_ != nullptr) return true;
  napi_env env = loop_->env();
  entriesData_ = static_cast<uint32_t*>(SharedArray(env, napi_uint32_array, kMaxReads * 3 * 4, &entriesArray_));
  outData_ = static_cast<char*>(SharedArray(env, napi_uint8_array, kOutSize, &outArray_));
  if (entriesData_ == nullptr || outData_ == nullptr) return false;
  heldData_ = static_cast<uint32_t*>(SharedArray(env, napi_uint32_array, (2 + kMaxReads * 3) * 4, &heldArray_));
  return heldData_ != nullptr;
}

void PollBatch::DeliverReads() {
  if (delivering_) return;
  if (!MakeShared()) {  // no memory, or JavaScript cannot run: the reads are lost with it
    reads_.clear();
    hasPollReads_ = false;
    DropPool();
    return;
  }
  napi_env env = loop_->env();
  delivering_ = true;
  hasPollReads_ = false;
  // A callback may queue more (a REDELIVER entry): they go in this call too.
  while (!reads_.empty()) {
    uint32_t count = static_cast<uint32_t>(std::min<size_t>(reads_.size() / 3, kMaxReads));
    memcpy(entriesData_, reads_.data(), count * 3 * 4);
    reads_.erase(reads_.begin(), reads_.begin() + count * 3);
    napi_value argv[6];
    if (readPool_ == nullptr) {
      napi_get_undefined(env, &argv[0]);
    } else {
      argv[0] = readpool::Value(readPool_);
    }
    argv[1] = entriesArray_.Value();
    napi_create_uint32(env, count, &argv[3]);
    argv[4] = outArray_.Value();
    argv[5] = heldArray_.Value();
    // After an exception (gone to excepthook or kept for run()), the
    // entries not yet delivered go in another call, as libuv would have
    // gone on with the poll phase's other callbacks.
    for (uint32_t first = 0; first < count;) {
      napi_create_uint32(env, first, &argv[2]);
      heldData_[0] = 0;
      heldData_[1] = count;  // unless lib/ says otherwise: all done
      bool ok = loop_->CallJS(loop_->addon()->Callback(kCb_onReadBatch), loop_->owner(), 6, argv, nullptr,
                              nullptr);
      HandOver(heldData_[0]);
      uint32_t done = heldData_[1];
      if (ok || done <= first) break;
      first = done;
    }
  }
  delivering_ = false;
  DropPool();
}

void PollBatch::DropPool() {
  if (readPool_ != nullptr) readpool::Release(readPool_);
  readPool_ = nullptr;
}

Napi::Value PollBatch::HandOverJS(const Napi::CallbackInfo& info) {
  if (heldData_ != nullptr) HandOver(info[0].As<Napi::Number>().Uint32Value());
  return info.Env().Undefined();
}

// The table is lib/'s to fill: every entry is checked (a stream of this
// loop, bytes inside out or the pool) before it is used. The writes go out
// now, from that memory: every read of the poll phase has been made, which
// is what batching them waited for, and a write that the socket does not
// take at once copies what is left (WriteBufs). The stream's batched writes
// go first.
void PollBatch::HandOver(uint32_t n) {
  int poolUsable = -1;  // looked up on first use
  for (uint32_t i = 0; i < n && i < kMaxReads; i++) {
    const uint32_t* w = heldData_ + 2 + i * 3;
    uint32_t id = w[0], offset = w[1], len = w[2];
    HandleBase* h = HandleBase::FromId(loop_->addon(), id);
    StreamWrap* stream = h != nullptr ? h->AsStream() : nullptr;
    if (stream == nullptr || stream->loop() != loop_ || stream->uvHandle() == nullptr ||
        uv_is_closing(stream->uvHandle())) {
      continue;
    }
    const char* base = outData_;
    size_t size = kOutSize;
    if (offset & kInPool) {
      if (poolUsable < 0) {
        // A pool that a callback transferred (Node 22) no longer owns its memory.
        poolUsable = readPool_ != nullptr && readpool::Owns(loop_->env(), readPool_);
      }
      if (!poolUsable) continue;
      offset &= ~kInPool;
      base = readPool_->data;
      size = readPool_->size;
    }
    if (offset > size || len > size - offset) continue;
    stream->SendBatchedFirst();
    stream->SendBatched(base + offset, len);
  }
}

void PollBatch::Add(StreamWrap* stream, const datapath::Bufs& bufs) {
  if (entries_.empty()) StartCheck();
  entries_.push_back({stream, bytes_.size(), bufs.total});
  for (unsigned i = 0; i < bufs.n; i++) {
    bytes_.insert(bytes_.end(), bufs.list[i].base, bufs.list[i].base + bufs.list[i].len);
  }
  stream->batched_++;
  stream->RequestStarted();  // pinned until sent
}

void PollBatch::Send(StreamWrap* stream) {
  for (Entry& e : entries_) {
    if (e.stream == nullptr || (stream != nullptr && e.stream != stream)) continue;
    StreamWrap* s = e.stream;
    e.stream = nullptr;
    s->batched_--;
    s->SendBatched(bytes_.data() + e.offset, e.len);
    s->RequestDone();
  }
  if (stream == nullptr) {
    entries_.clear();
    // By index: SendHeld may enter JavaScript (onUnclaimed), which cannot
    // add holders (only receive callbacks hold).
    for (size_t i = 0; i < holders_.size(); i++) {
      holders_[i]->SendHeld();
      holders_[i]->RequestDone();
    }
    holders_.clear();
    if (!reads_.empty()) return;  // the check stays for them
    // Keep a modest buffer between iterations, not the largest one seen.
    if (bytes_.capacity() > (1 << 20)) std::vector<char>().swap(bytes_);
    bytes_.clear();
    if (check_ != nullptr) uv_check_stop(&check_->check);
  }
}

void PollBatch::AddHolder(HandleBase* h) {
  StartCheck();
  holders_.push_back(h);
  h->RequestStarted();
}

void PollBatch::OnCheck(uv_check_t* h) {
  PollBatch* self = reinterpret_cast<Check*>(h)->batch;
  CallbackScope scope(self->loop_->env());
  self->DeliverReads();
  self->Send(nullptr);
}

void PollBatch::Close() {
  reads_.clear();  // nothing can deliver them any more
  hasPollReads_ = false;
  Send(nullptr);
  DropPool();
  entriesArray_.Reset();
  outArray_.Reset();
  heldArray_.Reset();
  entriesData_ = nullptr;
  outData_ = nullptr;
  heldData_ = nullptr;
  if (check_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(&check_->check),
             [](uv_handle_t* h) { delete reinterpret_cast<Check*>(h); });
    check_ = nullptr;
  }
}
