// The io_uring instances that uv_loop_init opens on Linux (libuv >= 1.45:
// the epoll_ctl batching ring; 1.45-1.48 also the SQPOLL ring). uv_loop_t
// names its other fds, not these, and a loop that teardown must leave
// allocated (a request stuck in the threadpool) would keep them open for
// good. They are found by where they land: fds are numbered lowest-free
// first, and uv_loop_init opens the epoll fd, then the rings, then the
// fds uv_loop_t names. Anything that does not fit that picture (another
// thread opening fds at the same moment) makes the tracker claim nothing.
#pragma once

#include <uv.h>

class LoopRings {
 public:
  void BeforeInit();                // note the next free fd numbers
  void AfterInit(uv_loop_t* loop);  // claim those that became this loop's rings
  void Close();                     // close the claimed rings (stuck teardown)

 private:
  static const int kSlots = 8;
  int free_[kSlots];
  int slots_ = 0;
  int ring_[kSlots];
  int rings_ = 0;
};
