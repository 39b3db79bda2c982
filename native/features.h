// libuv functions and behaviour newer than the oldest libuv uvkit runs on
// (1.46, Node 20). One binary serves every Node line, so nothing here is
// linked: functions are looked up in the running process once, behaviour is
// read off the running libuv's version, and `features` (lib/features.ts)
// tells JavaScript which are there. Compiles against any libuv >= 1.46
// headers: the types and constants are uvkit's own.
#pragma once

#include <uv.h>

struct Features {
  // 1.48
  int (*threadSetPriority)(uv_thread_t tid, int priority) = nullptr;
  int (*threadGetPriority)(uv_thread_t tid, int* priority) = nullptr;
  // 1.50
  int (*threadSetName)(const char* name) = nullptr;
  int (*threadGetName)(uv_thread_t* tid, char* name, size_t size) = nullptr;
  int (*getrusageThread)(uv_rusage_t* rusage) = nullptr;
  int (*udpTrySend2)(uv_udp_t* handle, unsigned int count, uv_buf_t* bufs[], unsigned int nbufs[],
                     struct sockaddr* addrs[], unsigned int flags) = nullptr;
  // 1.52
  int (*tcpKeepaliveEx)(uv_tcp_t* handle, int on, unsigned int idle, unsigned int intvl,
                        unsigned int cnt) = nullptr;
  bool tcpReusePort = false;    // 1.49: UV_TCP_REUSEPORT
  bool udpReusePort = false;    // 1.49: UV_UDP_REUSEPORT
  bool ioUringSqpoll = false;   // 1.49: UV_LOOP_USE_IO_URING_SQPOLL
  bool fsUtimeNowOmit = false;  // 1.51: UV_FS_UTIME_NOW / UV_FS_UTIME_OMIT
  bool statfsFrsize = false;    // 1.52: uv_statfs_t.f_frsize (was f_spare[0])

  static const Features& Get();
};

// Flag values of newer libuv headers (the same in every later version).
constexpr unsigned int kTcpReusePort = 2;   // UV_TCP_REUSEPORT
constexpr unsigned int kUdpReusePort = 64;  // UV_UDP_REUSEPORT
constexpr int kLoopUseIoUringSqpoll = 2;    // UV_LOOP_USE_IO_URING_SQPOLL (uv_loop_option)
