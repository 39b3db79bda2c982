#include "stream.h"

struct WriteBatch::Check {
  uv_check_t check;
  WriteBatch* batch;
};

void WriteBatch::Add(StreamWrap* stream, const datapath::Bufs& bufs) {
  if (check_ == nullptr) {
    check_ = new Check();
    uv_check_init(loop_->uv(), &check_->check);
    check_->check.data = nullptr;  // internal: loop.handles skips it
    check_->batch = this;
    uv_unref(reinterpret_cast<uv_handle_t*>(&check_->check));
  }
  if (entries_.empty()) uv_check_start(&check_->check, OnCheck);
  entries_.push_back({stream, bytes_.size(), bufs.total});
  for (unsigned i = 0; i < bufs.n; i++) {
    bytes_.insert(bytes_.end(), bufs.list[i].base, bufs.list[i].base + bufs.list[i].len);
  }
  stream->batched_++;
  stream->RequestStarted();  // pinned until sent
}

void WriteBatch::Send(StreamWrap* stream) {
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
    // Keep a modest buffer between iterations, not the largest one seen.
    if (bytes_.capacity() > (1 << 20)) std::vector<char>().swap(bytes_);
    bytes_.clear();
    if (check_ != nullptr) uv_check_stop(&check_->check);
  }
}

void WriteBatch::OnCheck(uv_check_t* h) {
  WriteBatch* self = reinterpret_cast<Check*>(h)->batch;
  CallbackScope scope(self->loop_->env());
  self->Send(nullptr);
}

void WriteBatch::Close() {
  Send(nullptr);
  if (check_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(&check_->check),
             [](uv_handle_t* h) { delete reinterpret_cast<Check*>(h); });
    check_ = nullptr;
  }
}
