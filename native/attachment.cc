// Attached mode: Node's loop drives this loop. Three watchers on Node's loop
// run one non-blocking turn of it (LoopWrap::RunAttached) when its backend
// fd has events or its next timer is due. They are freed when the last of
// them has closed.
#include "loop.h"

Attachment* Attachment::Start(LoopWrap* loop) {
  uv_loop_t* node;
  napi_get_uv_event_loop(loop->env(), &node);
  Attachment* a = new Attachment();
  a->loop_ = loop;
  uv_poll_init(node, &a->poll_, uv_backend_fd(loop->uv()));
  uv_timer_init(node, &a->timer_);
  uv_idle_init(node, &a->idle_);
  a->poll_.data = a;
  a->timer_.data = a;
  a->idle_.data = a;
  a->context_.Init(loop->env(), "uvkit.Loop");
  uv_poll_start(&a->poll_, UV_READABLE,
                [](uv_poll_t* h, int, int) { static_cast<Attachment*>(h->data)->loop_->RunAttached(); });
  return a;
}

// Node's loop polls this loop's backend fd and wakes for its next timer (an
// idle handle when that is now: a Node timer re-armed at 0 from its own
// callback would run again in the same pass, for ever). The watchers keep
// Node alive exactly while this loop is alive. The caller has updated the
// loop time.
void Attachment::Sync() {
  uv_loop_t* loop = loop_->uv();
  bool alive = uv_loop_alive(loop) != 0;
  int timeout = alive ? uv_backend_timeout(loop) : -1;
  if (timeout > 0) {
    uv_timer_start(
        &timer_, [](uv_timer_t* h) { static_cast<Attachment*>(h->data)->loop_->RunAttached(); },
        timeout, 0);
  } else {
    uv_timer_stop(&timer_);
  }
  if (timeout == 0) {
    uv_idle_start(&idle_, [](uv_idle_t* h) { static_cast<Attachment*>(h->data)->loop_->RunAttached(); });
  } else {
    uv_idle_stop(&idle_);
  }
  for (uv_handle_t* h : {reinterpret_cast<uv_handle_t*>(&poll_), reinterpret_cast<uv_handle_t*>(&timer_),
                         reinterpret_cast<uv_handle_t*>(&idle_)}) {
    if (alive) {
      uv_ref(h);
    } else {
      uv_unref(h);
    }
  }
}

void Attachment::Close() {
  context_.Destroy(loop_->env());
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), OnClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), OnClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&idle_), OnClosed);
}

void Attachment::OnClosed(uv_handle_t* h) {
  Attachment* a = static_cast<Attachment*>(h->data);
  if (--a->open_ == 0) delete a;
}
