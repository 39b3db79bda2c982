/*
 * Built into the prebuilt addons only (binding.gyp: uvkit_portable=1, set by
 * scripts/prebuilds.sh), never into a build from source.
 *
 * The prebuilds are compiled on a newer glibc (Debian 12: 2.36) but must load
 * on glibc 2.28 (RHEL 8, Debian 10, Ubuntu 20.04: where Node 22/24 run).
 * libstdc++ is linked statically (no GLIBCXX requirement at all), so the
 * glibc symbols that would resolve to a version newer than 2.28 come both
 * from uvkit's own objects and from libstdc++.a's. The linker is given
 * --wrap=<symbol> for each of them (binding.gyp), which sends every
 * reference, in any object, to __wrap_<symbol> below; that calls the old
 * version of the same function (pinned with .symver), or does the work
 * itself where glibc 2.28 has no such symbol. scripts/prebuilds.sh checks
 * the result with objdump and fails on any GLIBC_ version above 2.28.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define UVKIT_GLIBC_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define UVKIT_GLIBC_BASE "GLIBC_2.17"
#else
#error "uvkit_portable: no glibc base version known for this architecture"
#endif

#define UVKIT_HIDDEN __attribute__((visibility("hidden")))

/* old_<name> is a reference to <name>@<base version>, the symbol glibc 2.28
 * has (libc, libpthread or libdl; glibc >= 2.34 keeps it in libc). */
#define UVKIT_OLD(name) __asm__(".symver old_" #name "," #name "@" UVKIT_GLIBC_BASE)

/* Moved from libpthread into libc in 2.34 (new default version GLIBC_2.34). */
int old_pthread_create(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
int old_pthread_join(pthread_t, void**);
int old_pthread_detach(pthread_t);
int old_pthread_once(pthread_once_t*, void (*)(void));
int old_pthread_key_create(pthread_key_t*, void (*)(void*));
int old___pthread_key_create(pthread_key_t*, void (*)(void*));
UVKIT_OLD(pthread_create);
UVKIT_OLD(pthread_join);
UVKIT_OLD(pthread_detach);
UVKIT_OLD(pthread_once);
UVKIT_OLD(pthread_key_create);
UVKIT_OLD(__pthread_key_create);

UVKIT_HIDDEN int __wrap_pthread_create(pthread_t* t, const pthread_attr_t* a, void* (*f)(void*), void* arg) {
  return old_pthread_create(t, a, f, arg);
}
UVKIT_HIDDEN int __wrap_pthread_join(pthread_t t, void** r) { return old_pthread_join(t, r); }
UVKIT_HIDDEN int __wrap_pthread_detach(pthread_t t) { return old_pthread_detach(t); }
UVKIT_HIDDEN int __wrap_pthread_once(pthread_once_t* o, void (*f)(void)) { return old_pthread_once(o, f); }
UVKIT_HIDDEN int __wrap_pthread_key_create(pthread_key_t* k, void (*d)(void*)) {
  return old_pthread_key_create(k, d);
}
UVKIT_HIDDEN int __wrap___pthread_key_create(pthread_key_t* k, void (*d)(void*)) {
  return old___pthread_key_create(k, d);
}

/* Moved from libdl into libc in 2.34. */
void* old_dlopen(const char*, int);
void* old_dlsym(void*, const char*);
int old_dladdr(const void*, Dl_info*);
int old_dlclose(void*);
char* old_dlerror(void);
UVKIT_OLD(dlopen);
UVKIT_OLD(dlsym);
UVKIT_OLD(dladdr);
UVKIT_OLD(dlclose);
UVKIT_OLD(dlerror);

UVKIT_HIDDEN void* __wrap_dlopen(const char* f, int m) { return old_dlopen(f, m); }
UVKIT_HIDDEN void* __wrap_dlsym(void* h, const char* s) { return old_dlsym(h, s); }
UVKIT_HIDDEN int __wrap_dladdr(const void* a, Dl_info* i) { return old_dladdr(a, i); }
UVKIT_HIDDEN int __wrap_dlclose(void* h) { return old_dlclose(h); }
UVKIT_HIDDEN char* __wrap_dlerror(void) { return old_dlerror(); }

/* fstat64/stat64/lstat64 became exported functions in 2.33 (before, the
 * headers inlined a call to __fxstat64). On x86_64 and aarch64 glibc's
 * struct stat64 is the kernel's struct stat, so the system call fills it. */
UVKIT_HIDDEN int __wrap_fstat64(int fd, struct stat64* st) { return (int)syscall(SYS_fstat, fd, st); }
UVKIT_HIDDEN int __wrap_stat64(const char* p, struct stat64* st) {
  return (int)syscall(SYS_newfstatat, AT_FDCWD, p, st, 0);
}
UVKIT_HIDDEN int __wrap_lstat64(const char* p, struct stat64* st) {
  return (int)syscall(SYS_newfstatat, AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW);
}

/* 2.32: libstdc++'s headers skip atomic reference counts when this is
 * non-zero. 0 ("maybe more than one thread") is always correct. */
UVKIT_HIDDEN char __wrap___libc_single_threaded = 0;

/* 2.36: referenced by libstdc++.a's std::random_device (unused by uvkit). */
UVKIT_HIDDEN uint32_t __wrap_arc4random(void) {
  uint32_t v;
  for (;;) {
    long n = syscall(SYS_getrandom, &v, sizeof v, 0);
    if (n == (long)sizeof v) return v;
    if (n < 0 && errno != EINTR) abort();
  }
}
