#include "loop_rings.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <cstdio>
#include <cstring>

static bool IsOpen(int fd) { return fcntl(fd, F_GETFD) != -1; }

static bool IsIoUring(int fd) {
  char path[32], target[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(path, target, sizeof target - 1);
  if (n < 0) return false;
  target[n] = '\0';
  return strcmp(target, "anon_inode:[io_uring]") == 0;
}

void LoopRings::BeforeInit() {
  slots_ = 0;
  rings_ = 0;
#ifdef __linux__
  // The lowest free number (what open() returns), then the free ones above.
  int first = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (first < 0) return;
  close(first);
  for (int fd = first; slots_ < kSlots && fd < first + 4096; fd++) {
    if (fd == first || !IsOpen(fd)) free_[slots_++] = fd;
  }
#endif
}

void LoopRings::AfterInit(uv_loop_t* loop) {
  const int named[] = {loop->backend_fd, loop->async_io_watcher.fd, loop->signal_pipefd[0],
                       loop->signal_pipefd[1]};
  auto isNamed = [&](int fd) { return std::find(std::begin(named), std::end(named), fd) != std::end(named); };
  int last = *std::max_element(std::begin(named), std::end(named));
  if (slots_ == 0 || free_[0] != loop->backend_fd) return;
  int found = 0, claimed = 0;
  for (int i = 0; i < slots_ && free_[i] <= last; i++) {
    if (isNamed(free_[i])) {
      found++;
    } else if (IsIoUring(free_[i])) {
      ring_[claimed++] = free_[i];
    } else {
      return;  // a number this loop did not take: someone else was opening fds
    }
  }
  int wanted = 0;
  for (int fd : named) wanted += fd >= 0;
  if (found == wanted) rings_ = claimed;
}

void LoopRings::Close() {
  // The rings' memory mappings stay (their addresses are libuv's own); the
  // fd numbers are given back.
  for (int i = 0; i < rings_; i++) close(ring_[i]);
  rings_ = 0;
}
