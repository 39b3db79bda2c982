/*
 * The load generator of `npm run bench`: plain sockets and epoll, so it
 * needs nothing but a C compiler, and it runs in its own process outside
 * the server being measured.
 *
 *   loadclient echo <port> <conns> <size> <warmup_ms> <measure_ms>
 *       each connection sends <size> bytes, waits for the whole echo,
 *       repeats; prints round trips/s and latency percentiles (us).
 *   loadclient pump <port> <conns> <chunk> <warmup_ms> <measure_ms>
 *       writes as fast as the server reads; prints bytes/s.
 *   loadclient udp <port> <flows> <size> <warmup_ms> <measure_ms>
 *       each socket sends a datagram and waits for its echo (re-sending
 *       after 100 ms if one was lost); prints round trips/s, percentiles.
 *   loadclient hold <port> <conns>
 *       opens <conns> connections, prints "ready <n>", and keeps them
 *       until stdin closes.
 *
 * Results are one JSON line on stdout. Connections end with a reset
 * (SO_LINGER 0) so repeated runs leave no TIME_WAIT sockets behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
  perror(what);
  exit(2);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct sockaddr_in server_addr(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static void set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) die("fcntl");
}

static void reset_close(int fd) {
  struct linger l = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

/* A blocking connect, then non-blocking with TCP_NODELAY. */
static int tcp_connect(int port) {
  struct sockaddr_in a = server_addr(port);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) die("connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  set_nonblock(fd);
  return fd;
}

/* Latency samples in ns, kept only during the measured window. */
static uint32_t *samples;
static size_t nsamples, capsamples;

static void sample(uint64_t ns) {
  if (nsamples == capsamples) {
    capsamples = capsamples ? capsamples * 2 : 1 << 16;
    samples = realloc(samples, capsamples * sizeof *samples);
    if (!samples) die("realloc");
  }
  samples[nsamples++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static double pct(double p) {
  if (nsamples == 0) return 0;
  size_t i = (size_t)(p * (double)(nsamples - 1) + 0.5);
  return samples[i] / 1000.0;
}

static void print_latency_result(const char *mode, uint64_t count, uint64_t elapsed_ns) {
  qsort(samples, nsamples, sizeof *samples, cmp_u32);
  printf("{\"mode\":\"%s\",\"count\":%llu,\"seconds\":%.6f,\"perSec\":%.1f,"
         "\"p50us\":%.1f,\"p99us\":%.1f,\"maxus\":%.1f}\n",
         mode, (unsigned long long)count, elapsed_ns / 1e9, count / (elapsed_ns / 1e9), pct(0.5),
         pct(0.99), pct(1.0));
}

struct conn {
  int fd;
  size_t sent, got;
  uint64_t t0;
};

/* ---- echo ------------------------------------------------------------ */

static int run_echo(int port, int nconns, size_t size, int warmup_ms, int measure_ms) {
  char *out = malloc(size), *in = malloc(size > 65536 ? size : 65536);
  memset(out, 'x', size);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct conn *cs = calloc((size_t)nconns, sizeof *cs);
  for (int i = 0; i < nconns; i++) {
    cs[i].fd = tcp_connect(port);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev) != 0) die("epoll_ctl");
  }
  uint64_t start = now_ns();
  uint64_t measure_from = start + (uint64_t)warmup_ms * 1000000u;
  uint64_t end = measure_from + (uint64_t)measure_ms * 1000000u;
  uint64_t count = 0;
  for (int i = 0; i < nconns; i++) {
    cs[i].t0 = now_ns();
    ssize_t w = write(cs[i].fd, out, size);
    if (w < 0) die("write");
    cs[i].sent = (size_t)w;
  }
  struct epoll_event evs[256];
  for (;;) {
    uint64_t t = now_ns();
    if (t >= end) break;
    int n = epoll_wait(ep, evs, 256, 100);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int k = 0; k < n; k++) {
      struct conn *c = evs[k].data.ptr;
      if (c->sent < size) { /* the rest of a large message */
        ssize_t w = write(c->fd, out + c->sent, size - c->sent);
        if (w > 0) c->sent += (size_t)w;
        else if (w < 0 && errno != EAGAIN) die("write");
      }
      ssize_t r = read(c->fd, in, size - c->got);
      if (r == 0) {
        fprintf(stderr, "server closed a connection\n");
        exit(3);
      }
      if (r < 0) {
        if (errno == EAGAIN) continue;
        die("read");
      }
      c->got += (size_t)r;
      if (c->got < size) continue;
      uint64_t t1 = now_ns();
      if (c->t0 >= measure_from && t1 <= end) {
        count++;
        sample(t1 - c->t0);
      }
      c->got = 0;
      c->t0 = t1;
      ssize_t w = write(c->fd, out, size);
      if (w < 0) die("write");
      c->sent = (size_t)w;
    }
  }
  print_latency_result("echo", count, end - measure_from);
  for (int i = 0; i < nconns; i++) reset_close(cs[i].fd);
  return 0;
}

/* ---- pump ------------------------------------------------------------ */

static int run_pump(int port, int nconns, size_t chunk, int warmup_ms, int measure_ms) {
  char *out = malloc(chunk);
  memset(out, 'p', chunk);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int *fds = calloc((size_t)nconns, sizeof *fds);
  for (int i = 0; i < nconns; i++) {
    fds[i] = tcp_connect(port);
    struct epoll_event ev = {.events = EPOLLOUT, .data.fd = fds[i]};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) != 0) die("epoll_ctl");
  }
  uint64_t start = now_ns();
  uint64_t measure_from = start + (uint64_t)warmup_ms * 1000000u;
  uint64_t end = measure_from + (uint64_t)measure_ms * 1000000u;
  uint64_t bytes = 0;
  struct epoll_event evs[64];
  for (;;) {
    uint64_t t = now_ns();
    if (t >= end) break;
    int n = epoll_wait(ep, evs, 64, 100);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int k = 0; k < n; k++) {
      /* The clock is read per write: a server that keeps up never lets
       * write() say EAGAIN, and this loop must still see the window. */
      for (;;) {
        ssize_t w = write(evs[k].data.fd, out, chunk);
        if (w < 0) {
          if (errno == EAGAIN) break;
          die("write");
        }
        uint64_t tw = now_ns();
        if (tw >= end) break;
        if (tw >= measure_from) bytes += (size_t)w;
      }
    }
  }
  double secs = (end - measure_from) / 1e9;
  printf("{\"mode\":\"pump\",\"bytes\":%llu,\"seconds\":%.6f,\"bytesPerSec\":%.1f,\"gbitPerSec\":%.4f}\n",
         (unsigned long long)bytes, secs, bytes / secs, bytes * 8 / secs / 1e9);
  for (int i = 0; i < nconns; i++) reset_close(fds[i]);
  return 0;
}

/* ---- udp ------------------------------------------------------------- */

static int run_udp(int port, int flows, size_t size, int warmup_ms, int measure_ms) {
  char *out = malloc(size ? size : 1), in[65536];
  memset(out, 'u', size);
  struct sockaddr_in a = server_addr(port);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct conn *cs = calloc((size_t)flows, sizeof *cs);
  for (int i = 0; i < flows; i++) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) die("connect");
    cs[i].fd = fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) die("epoll_ctl");
  }
  uint64_t start = now_ns();
  uint64_t measure_from = start + (uint64_t)warmup_ms * 1000000u;
  uint64_t end = measure_from + (uint64_t)measure_ms * 1000000u;
  uint64_t count = 0, resent = 0;
  for (int i = 0; i < flows; i++) {
    cs[i].t0 = now_ns();
    if (send(cs[i].fd, out, size, 0) < 0) die("send");
  }
  struct epoll_event evs[256];
  uint64_t last_check = start;
  for (;;) {
    uint64_t t = now_ns();
    if (t >= end) break;
    if (t - last_check > 50000000u) { /* lost datagrams: send again */
      last_check = t;
      for (int i = 0; i < flows; i++) {
        if (t - cs[i].t0 > 100000000u) {
          cs[i].t0 = t;
          send(cs[i].fd, out, size, 0);
          resent++;
        }
      }
    }
    int n = epoll_wait(ep, evs, 256, 20);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int k = 0; k < n; k++) {
      struct conn *c = evs[k].data.ptr;
      for (;;) {
        ssize_t r = recv(c->fd, in, sizeof in, 0);
        if (r < 0) {
          if (errno == EAGAIN) break;
          if (errno == ECONNREFUSED) continue;
          die("recv");
        }
        uint64_t t1 = now_ns();
        if (c->t0 >= measure_from && t1 <= end) {
          count++;
          sample(t1 - c->t0);
        }
        c->t0 = t1;
        if (send(c->fd, out, size, 0) < 0 && errno != EAGAIN) die("send");
      }
    }
  }
  print_latency_result("udp", count, end - measure_from);
  if (resent) fprintf(stderr, "udp: %llu datagrams re-sent\n", (unsigned long long)resent);
  for (int i = 0; i < flows; i++) close(cs[i].fd);
  return 0;
}

/* ---- hold ------------------------------------------------------------ */

static int run_hold(int port, int nconns) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  int *fds = calloc((size_t)nconns, sizeof *fds);
  for (int i = 0; i < nconns; i++) fds[i] = tcp_connect(port);
  printf("ready %d\n", nconns);
  fflush(stdout);
  char buf[64];
  while (read(0, buf, sizeof buf) > 0) {
  }
  for (int i = 0; i < nconns; i++) reset_close(fds[i]);
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc >= 4 && strcmp(argv[1], "hold") == 0) return run_hold(atoi(argv[2]), atoi(argv[3]));
  if (argc < 7) {
    fprintf(stderr, "usage: loadclient echo|pump|udp <port> <conns> <size> <warmup_ms> <measure_ms>\n"
                    "       loadclient hold <port> <conns>\n");
    return 1;
  }
  int port = atoi(argv[2]), conns = atoi(argv[3]), warm = atoi(argv[5]), ms = atoi(argv[6]);
  size_t size = (size_t)atol(argv[4]);
  if (strcmp(argv[1], "echo") == 0) return run_echo(port, conns, size, warm, ms);
  if (strcmp(argv[1], "pump") == 0) return run_pump(port, conns, size, warm, ms);
  if (strcmp(argv[1], "udp") == 0) return run_udp(port, conns, size, warm, ms);
  fprintf(stderr, "unknown mode %s\n", argv[1]);
  return 1;
}
