// The rest of libuv that concerns the OS, not a loop (native/misc.cc):
// socketpair() and pipe() (top level), thread affinity, clocks, available
// memory and interface names (in `util`). The loop's own options, metrics
// and UVKIT_DEBUG_RUN report are in lib/metrics.ts.
import { binding } from './binding';
import { checkArray, checkBoolean, checkChoice, checkInteger, outOfRange } from './validate';

const n = binding.misc;

/**
 * A connected pair of Unix sockets (uv_socketpair), close-on-exec:
 * `'stream'` (SOCK_STREAM, the default) or `'dgram'` (SOCK_DGRAM). With
 * `nonblock`, both are non-blocking. The caller owns the fds (close them
 * with fs.close, or hand them to Pipe.open / UDP.open / Poll).
 */
export function socketpair(type: 'stream' | 'dgram' = 'stream', nonblock = false): [number, number] {
  checkChoice(type, 'type', ['stream', 'dgram'] as const);
  checkBoolean(nonblock, 'nonblock');
  return n.socketpair(type === 'dgram', nonblock);
}

/**
 * An anonymous pipe (uv_pipe), close-on-exec: `[read fd, write fd]`. With
 * `nonblock`, both ends are non-blocking. The caller owns the fds.
 */
export function pipe(nonblock = false): [number, number] {
  checkBoolean(nonblock, 'nonblock');
  return n.pipe(nonblock);
}

/** How many entries a CPU mask has (uv_cpumask_size): the length of threadGetAffinity(). */
export function cpumaskSize(): number {
  return n.cpumaskSize();
}

/**
 * Lets the calling thread run only on the CPUs whose entry in `mask` is
 * true (uv_thread_setaffinity); entries past the end count as false. Returns
 * the previous mask. A mask with no allowed CPU, or none the process may
 * use, throws UVError EINVAL.
 */
export function threadSetAffinity(mask: readonly boolean[]): boolean[] {
  checkArray(mask, 'mask');
  const size = cpumaskSize();
  if (mask.length > size) throw outOfRange('mask.length', `<= ${size}`, mask.length);
  const bytes = new Uint8Array(size);
  for (let i = 0; i < mask.length; i++) {
    checkBoolean(mask[i], `mask[${i}]`);
    bytes[i] = mask[i] ? 1 : 0;
  }
  return n.threadSetAffinity(bytes);
}

/** The CPUs the calling thread may run on (uv_thread_getaffinity), cpumaskSize() entries. */
export function threadGetAffinity(): boolean[] {
  return n.threadGetAffinity();
}

/** The CPU the calling thread is running on now (uv_thread_getcpu). */
export function threadGetCPU(): number {
  return n.threadGetCPU();
}

/**
 * Memory this process may still allocate, bytes (uv_get_available_memory):
 * the free part of a cgroup limit, or free system memory without one (as
 * Node's process.availableMemory()).
 */
export function getAvailableMemory(): number {
  return n.getAvailableMemory();
}

/**
 * A clock's time (uv_clock_gettime): `'monotonic'` (the default; from an
 * arbitrary origin, never jumps) or `'realtime'` (since the Unix epoch), as
 * `{ sec, nsec }`.
 */
export function clockGettime(clock: 'monotonic' | 'realtime' = 'monotonic'): { sec: number; nsec: number } {
  checkChoice(clock, 'clock', ['monotonic', 'realtime'] as const);
  const [sec, nsec] = n.clockGettime(clock === 'realtime');
  return { sec, nsec };
}

/** The wall-clock time with microseconds (uv_gettimeofday), since the Unix epoch. */
export function gettimeofday(): { sec: number; usec: number } {
  const [sec, usec] = n.gettimeofday();
  return { sec, usec };
}

/** Blocks the calling thread for `ms` milliseconds (uv_sleep); its loops do nothing meanwhile. */
export function sleep(ms: number): void {
  n.sleep(checkInteger(ms, 'ms', 0, 0xffffffff));
}

/**
 * The name of network interface number `index` (uv_if_indextoname), e.g. an
 * IPv6 address's `scopeId`; UVError ENXIO if there is none.
 */
export function ifIndexToName(index: number): string {
  return n.ifIndexTo(checkInteger(index, 'index', 0, 0xffffffff), false);
}

/**
 * The interface identifier for IPv6 scoped addresses (uv_if_indextoiid):
 * on Unix the same as ifIndexToName(); on Windows the number.
 */
export function ifIndexToIid(index: number): string {
  return n.ifIndexTo(checkInteger(index, 'index', 0, 0xffffffff), true);
}
