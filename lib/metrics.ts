// What a loop is told and tells about itself (native/metrics.cc; the
// loop's options are applied by the native Loop): the options of
// `new Loop(opts)`, metrics() and printHandles() (methods of Loop), and the
// UVKIT_DEBUG_RUN report of a long blocking run().
import { writeSync } from 'fs';
import { binding } from './binding';
import { needFeature } from './features';
import type { Loop } from './loop';
import { checkBoolean, checkChoice, checkObject, checkSignal } from './validate';

const n = binding.misc;

/** Options of `new Loop(opts)` (uv_loop_configure, applied right after uv_loop_init). */
export interface LoopOptions {
  /**
   * Block this signal while the loop polls for I/O (UV_LOOP_BLOCK_SIGNAL).
   * libuv supports only SIGPROF (number or name); any other throws UVError
   * EINVAL. Stops a CPU profiler's signal from waking the loop needlessly.
   */
  blockSignal?: number | string;
  /** Measure the time spent idle in the kernel's poll (UV_METRICS_IDLE_TIME), for `metrics().idleTime`. */
  metricsIdleTime?: boolean;
  /**
   * Use an io_uring submission-queue polling thread (UV_LOOP_USE_IO_URING_SQPOLL,
   * `features.ioUringSqpoll`, libuv 1.49; UVError ENOTSUP without it). libuv
   * uses io_uring on Linux only for some fs operations, and may not use it at
   * all (old kernels, UV_USE_IO_URING=0): the option is then a no-op.
   */
  ioUringSqpoll?: boolean;
}

/** What `loop.metrics()` returns. */
export interface LoopMetrics {
  /** Time spent idle in the kernel's poll, ms (0 unless the loop was made with `metricsIdleTime`). */
  idleTime: number;
  /** Loop iterations so far. */
  loopCount: number;
  /** Events processed so far. */
  events: number;
  /** Events that were waiting when the last poll returned. */
  eventsWaiting: number;
}

function checkOptionalBoolean(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  checkBoolean(value, name);
  return value;
}

/** @internal `opts` checked, as the native Loop takes them: [blockSignal (0 = none), metricsIdleTime, ioUringSqpoll]. */
export type CheckedLoopOptions = [number, boolean, boolean];

/** @internal Checks the options of `new Loop(opts)` before any loop is made. */
export function checkLoopOptions(opts: unknown): CheckedLoopOptions {
  if (opts === undefined || opts === null) return [0, false, false];
  const o = checkObject(opts, 'opts') as LoopOptions;
  const blockSignal = o.blockSignal === undefined ? 0 : checkSignal(o.blockSignal, 'opts.blockSignal');
  const idle = checkOptionalBoolean(o.metricsIdleTime, 'opts.metricsIdleTime');
  const sqpoll = checkOptionalBoolean(o.ioUringSqpoll, 'opts.ioUringSqpoll');
  if (sqpoll) needFeature('ioUringSqpoll', 'uv_loop_configure');
  return [blockSignal, idle, sqpoll];
}

/** @internal The loop count of a loop just made (its setup turn): metrics() count from there. */
export function loopCountNow(loop: Loop): number {
  return n.loopMetrics(loop._native)[1];
}

/** @internal */
export function loopMetrics(loop: Loop, base: number): LoopMetrics {
  const m: [number, number, number, number] = n.loopMetrics(loop._native);
  return { idleTime: m[0] / 1e6, loopCount: m[1] - base, events: m[2], eventsWaiting: m[3] };
}

/** @internal */
export function printHandles(loop: Loop, which: unknown): string {
  return n.printHandles(loop._native, checkChoice(which, 'which', ['all', 'active'] as const) === 'all');
}

// ---- UVKIT_DEBUG_RUN -------------------------------------------------------

/**
 * UVKIT_DEBUG_RUN=<seconds>[,<every seconds>]: once a blocking run() has
 * lasted that long, the loop writes to stderr what it is waiting for, and
 * again every <every> seconds (default: the same) while the run lasts.
 */
function parseDebugRun(value: string | undefined): [number, number] | null {
  if (value === undefined || value === '') return null;
  const [a, b] = value.split(',');
  const after = Number(a);
  const every = b === undefined ? after : Number(b);
  if (!(after > 0) || !(every > 0) || !Number.isFinite(after) || !Number.isFinite(every)) return null;
  return [Math.max(1, Math.round(after * 1000)), Math.max(1, Math.round(every * 1000))];
}

/** @internal [after ms, every ms], or null when UVKIT_DEBUG_RUN is not set. */
export const debugRun = parseDebugRun(process.env.UVKIT_DEBUG_RUN);

const loopIds = new WeakMap<Loop, number>();
let nextLoopId = 1;

function loopId(loop: Loop): number {
  let id = loopIds.get(loop);
  if (id === undefined) loopIds.set(loop, (id = nextLoopId++));
  return id;
}

function facts(h: object): string {
  const out: string[] = [];
  const get = (fn: () => unknown): unknown => {
    try {
      return fn();
    } catch {
      return undefined;
    }
  };
  const x = h as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  out.push(get(() => x.active) ? 'active' : 'inactive');
  out.push(get(() => x.ref) ? 'ref' : 'unref');
  if (x.closed === true) out.push('closing');
  const fd = get(() => (typeof x.fileno === 'function' ? x.fileno() : undefined));
  if (typeof fd === 'number' && fd >= 0) out.push(`fd ${fd}`);
  const fmt = (a: unknown): string =>
    a !== null && typeof a === 'object' ? `${(a as any).address}:${(a as any).port}` : String(a); // eslint-disable-line @typescript-eslint/no-explicit-any
  const local = get(() => (typeof x.getsockname === 'function' ? x.getsockname() : undefined));
  if (local !== undefined && local !== '') out.push(`local ${fmt(local)}`);
  const peer = get(() => (typeof x.getpeername === 'function' ? x.getpeername() : undefined));
  if (peer !== undefined && peer !== '') out.push(`peer ${fmt(peer)}`);
  const path = get(() => x.path);
  if (typeof path === 'string') out.push(`path ${path}`);
  const pid = get(() => x.pid);
  if (typeof pid === 'number' && pid > 0) out.push(`pid ${pid}`);
  const signum = get(() => x.signum);
  if (typeof signum === 'number' && signum > 0) out.push(`signal ${signum}`);
  const dueIn = get(() => x.dueIn);
  if (typeof dueIn === 'number' && x.active === true) {
    out.push(`due in ${Math.round(dueIn)} ms`);
    if (typeof x._repeat === 'number' && x._repeat > 0) out.push(`repeat ${x._repeat} ms`);
  }
  return `${h.constructor.name} (${out.join(', ')})`;
}

/** @internal The report: what lib/ knows of each handle, then libuv's own list. */
export function debugReport(loop: Loop, since: number): string {
  const lines: string[] = [];
  const secs = ((Date.now() - since) / 1000).toFixed(1);
  lines.push(`uvkit: Loop #${loopId(loop)} has been in run() for ${secs} s (pid ${process.pid}); it waits for:`);
  const handles = loop.handles;
  const active = handles.filter((h) => {
    try {
      return h.active || h.closed;
    } catch {
      return false;
    }
  });
  for (const h of active) lines.push(`  ${facts(h)}`);
  const inactive = handles.length - active.length;
  if (active.length === 0) lines.push('  no active handle of yours');
  if (inactive > 0) lines.push(`  (${inactive} inactive handle${inactive === 1 ? '' : 's'} not listed)`);
  const [reqs, work]: [number, number] = n.loopRequests(loop._native);
  lines.push(`  libuv requests in flight (fs, dns): ${reqs}; queueWork jobs not done: ${work}`);
  lines.push("  libuv's active handles (uv_print_active_handles; R = ref, A = active, I = libuv internal;");
  lines.push('  the unflagged timer, async and poll without a JS class are uvkit internals):');
  for (const l of n.printHandles(loop._native, false).split('\n')) if (l !== '') lines.push(`    ${l}`);
  return lines.join('\n') + '\n';
}

/** @internal Arms the report for one blocking run() of `loop`. */
export function debugArm(loop: Loop): void {
  const [after, every] = debugRun!;
  const since = Date.now();
  n.debugArm(loop._native, after, every, () => {
    try {
      writeSync(2, debugReport(loop, since));
    } catch {
      // stderr closed: nothing to tell
    }
  });
}

/** @internal */
export function debugDisarm(loop: Loop): void {
  n.debugDisarm(loop._native);
}
