// worker.terminate() stops the isolate and wakes the worker's Node loop with
// uv_async_send, but a worker blocked in this loop's run() never sees it. So
// a worker's loop also watches its Node loop's backend (epoll) fd, which
// turns readable when the async eventfd that terminate() writes to has
// data, through a private edge-triggered epoll (one wake per event, never a
// busy loop), and on a wake checks whether JavaScript can still run. The
// backend fd is public (uv_backend_fd); the eventfd behind it is not.
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"

TerminationWatch* TerminationWatch::Start(LoopWrap* loop) {
  uv_loop_t* node;
  napi_get_uv_event_loop(loop->env(), &node);
  if (node == uv_default_loop()) return nullptr;  // the main thread
  int watched = uv_backend_fd(node);
  if (watched < 0) return nullptr;
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return nullptr;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  TerminationWatch* w = new TerminationWatch();
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, watched, &ev) != 0 || uv_poll_init(loop->uv(), &w->poll_, epfd) != 0) {
    close(epfd);
    delete w;
    return nullptr;
  }
  w->epfd_ = epfd;
  w->poll_.data = nullptr;  // internal: loop.handles skips it
  uv_poll_start(&w->poll_, UV_READABLE, [](uv_poll_t* h, int, int) {
    TerminationWatch* self = reinterpret_cast<TerminationWatch*>(h);
    LoopWrap* loop = static_cast<LoopWrap*>(h->loop->data);
    napi_env env = loop->env();
    epoll_event drained[4];
    while (epoll_wait(self->epfd_, drained, 4, 0) > 0) {
    }
    CallbackScope scope(env);
    napi_value global, result;
    napi_get_global(env, &global);
    if (napi_call_function(env, global, loop->addon()->noop.Value(), 0, nullptr, &result) != napi_ok) {
      bool pending;
      napi_is_exception_pending(env, &pending);
      if (pending) napi_get_and_clear_last_exception(env, &result);
      uv_stop(h->loop);  // terminating: let run() return
    }
  });
  uv_unref(reinterpret_cast<uv_handle_t*>(&w->poll_));
  return w;
}

void TerminationWatch::Close() {
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), [](uv_handle_t* h) {
    TerminationWatch* w = reinterpret_cast<TerminationWatch*>(h);
    close(w->epfd_);
    delete w;
  });
}
