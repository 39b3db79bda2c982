import { AsyncResource } from 'async_hooks';
import { binding, NativeLoop } from './binding';
import { HandleError } from './errors';
import { Handle } from './handle';
import type { Facts } from './inspect';
import type { Loop } from './loop';
import { checkBoolean, checkFunction, checkMs } from './validate';

/** A libuv failure of a Timer. */
export class TimerError extends HandleError {}

/*
 * Timers live in JavaScript, as Node's own do: a native handle and a libuv
 * heap operation per timer cost several times what setTimeout does. Timers
 * started with the same timeout go into one list, which is then in firing
 * order; a small heap orders the lists by their first timer; one libuv timer
 * per loop (native/timer.cc) is armed for the earliest. Firing order is
 * libuv 1.46's: by due time, then by start order, a repeating timer re-armed
 * before its callback runs, and a timer that becomes due while timers are
 * firing fires in the same pass. A weak native registry makes open timers
 * show in loop.handles and keep loop.close() EBUSY; a closed timer goes
 * through the loop's close phase (native/close_phase.cc).
 */

const UV_EINVAL: number = binding.errno.UV_EINVAL;
const UV_EBADF: number = binding.errno.UV_EBADF;

/**
 * Timers started with one timeout, in due order: a ring through _prev and
 * _next with the list itself as the ring's end, as Node's timer lists are,
 * so that a timer needs no field naming its list.
 */
class TimerList {
  _prev: Timer | TimerList = this; // the last timer
  _next: Timer | TimerList = this; // the first timer
  index = -1; // position in TimerQueue.heap
  constructor(readonly timeout: number) {}
}

// The first timer of a list in the heap (lists there are never empty).
function first(list: TimerList): Timer {
  return list._next as Timer;
}

// Whether list a's first timer fires before list b's: by due time, then by
// start order. Within a list start order is list order. Two first timers of
// different lists due at the same time were started at different loop times
// (due - timeout), so the one with the longer timeout was started first:
// libuv's start counter is not needed.
function before(a: TimerList, b: TimerList): boolean {
  const x = first(a)._due;
  const y = first(b)._due;
  return x < y || (x === y && a.timeout > b.timeout);
}

/** The timers of one loop. */
class TimerQueue {
  private readonly lists = new Map<number, TimerList>();
  private readonly heap: TimerList[] = [];
  private refed = 0; // active timers that keep the loop alive
  private armedDue = -1; // what the native driver is armed for
  private armedRef = false;
  private deferArm = false; // set while fire() or restart() run: they arm once, at the end
  readonly clock: Float64Array; // [0]: the loop's time (uv_now), kept by native
  // Due times are kept relative to the loop time when the queue was made, so
  // that they stay small integers (V8 keeps those in the timer itself; a
  // loop time past 2**31 ms, 25 days of uptime, would need a box for each).
  readonly epoch: number;
  /** Enters a new timer in the loop's weak registry (native/timer.cc). */
  readonly track: (timer: Timer) => void;
  private readonly native: NativeLoop;

  constructor(readonly loop: Loop) {
    this.native = loop._native;
    this.clock = this.native.timerClock();
    this.epoch = this.clock[0];
    this.track = this.native.timerTracker();
  }

  /** The loop time, relative to epoch. */
  now(): number {
    return this.clock[0] - this.epoch;
  }

  insert(t: Timer, interval: number): void {
    t._due = this.clock[0] - this.epoch + interval;
    let list = this.lists.get(interval);
    if (list === undefined) {
      list = new TimerList(interval);
      this.lists.set(interval, list);
    }
    const last = list._prev;
    t._prev = last;
    t._next = list;
    last._next = t;
    list._prev = t;
    if (last === list) this.push(list); // the list was new
    const refed = t._refed;
    if (refed) this.refed++;
    if (this.armedDue < 0 || t._due < this.armedDue || (refed && !this.armedRef)) this.arm();
  }

  remove(t: Timer): void {
    const prev = t._prev!;
    const next = t._next!;
    prev._next = next;
    next._prev = prev;
    t._prev = t._next = null;
    const wasFirst = prev instanceof TimerList;
    if (wasFirst) {
      if (next === prev) {
        this.lists.delete(prev.timeout);
        this.removeAt(prev.index);
      } else {
        this.down(prev.index); // its first timer is now a later one
      }
    }
    if (t._refed) this.refed--;
    if (wasFirst || this.refed === 0) this.arm();
  }

  /** (Re)starts a timer, active or not, with one arm() for both steps. */
  restart(t: Timer, interval: number): void {
    if (t._prev === null) return this.insert(t, interval);
    const deferred = this.deferArm;
    this.deferArm = true;
    this.remove(t);
    this.insert(t, interval);
    this.deferArm = deferred;
    this.arm();
  }

  /** A timer's ref changed while it is active. */
  refChanged(on: boolean): void {
    this.refed += on ? 1 : -1;
    this.arm();
  }

  /** Arms the native driver for the earliest timer, or stops it. */
  arm(): void {
    if (this.deferArm) return;
    const list = this.heap[0];
    const due = list === undefined ? -1 : first(list)._due;
    const ref = this.refed > 0;
    if (due !== this.armedDue || ref !== this.armedRef) {
      this.armedDue = due;
      this.armedRef = ref;
      this.native.timerArm(due < 0 ? -1 : due + this.epoch, ref);
    }
  }

  /**
   * The driver fired: runs every due timer, or one when attached. Returns
   * whether a timer is still due; native calls again until none is.
   */
  fire(): boolean {
    this.armedDue = -2; // the driver has stopped: arm() must call native
    const clock = this.clock;
    const epoch = this.epoch;
    const heap = this.heap;
    const one = this.loop._attachedFlag; // callbacks drain microtasks one by one
    this.deferArm = true;
    try {
      for (;;) {
        const list = heap[0];
        if (list === undefined) break;
        const t = first(list);
        if (t._due > clock[0] - epoch) break;
        this.remove(t);
        if (t._repeat > 0) this.insert(t, t._repeat);
        const context = t._context;
        if (context === null) t._callback!.call(null, t);
        else context.runInAsyncScope(t._callback!, null, t);
        if (one) break;
      }
    } finally {
      this.deferArm = false;
      this.arm();
    }
    const next = heap[0];
    return next !== undefined && first(next)._due <= clock[0] - epoch;
  }

  // ---- the heap of lists ---------------------------------------------------

  private push(list: TimerList): void {
    list.index = this.heap.length;
    this.heap.push(list);
    this.up(list.index);
  }

  private removeAt(i: number): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (i < heap.length) {
      heap[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
  }

  private up(i: number): void {
    const heap = this.heap;
    const item = heap[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(item, heap[p])) break;
      heap[i] = heap[p];
      heap[i].index = i;
      i = p;
    }
    heap[i] = item;
    item.index = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && before(heap[c + 1], heap[c])) c++;
      if (!before(heap[c], item)) break;
      heap[i] = heap[c];
      heap[i].index = i;
      i = c;
    }
    heap[i] = item;
    item.index = i;
  }
}

/**
 * A libuv-style timer. Unlike the other handles it has no native wrap: its
 * state is its own fields (one object per timer is what makes a million of
 * them cheap), so it answers `active`, `ref`, `close()` and `fileno()` itself.
 */
export class Timer extends Handle {
  static override errorClass = TimerError;
  // A million timers cost mostly GC, so a timer is kept small: its fields
  // are assigned in the constructor, in one order (one hidden class); the
  // three that often keep their default live on the prototype until they
  // change (8 bytes each), as do Handle's data, _closed and _closeCallback.
  /** @internal */ declare _callback: ((timer: Timer) => void) | null;
  /** @internal due time, relative to the queue's epoch */ declare _due: number;
  /** @internal prototype: 0 */ declare _repeat: number;
  /** @internal its neighbours in its list while active, else null */
  declare _prev: Timer | TimerList | null;
  /** @internal */ declare _next: Timer | TimerList | null;
  /** @internal made while attached: the async context callbacks run in (prototype: null) */
  declare _context: AsyncResource | null;
  /** @internal prototype: true */ declare _refed: boolean;

  constructor(loop?: Loop) {
    super(loop);
    const l = this._home;
    const queue = l._timers ?? (l._timers = new TimerQueue(l));
    queue.track(this);
    this._callback = null;
    // null, not 0: a field that starts as a small integer becomes a boxed
    // double in every timer (16 bytes more each) once one due time arrives
    // as a heap number (unoptimized code gives those); one that starts as
    // null keeps small integers in place.
    this._due = null as unknown as number;
    this._prev = null;
    this._next = null;
    if (l._attachedFlag) this._context = new AsyncResource('uvkit.Timer');
  }

  /**
   * Calls cb after `timeout` ms, then every `repeat` ms if repeat > 0. Both
   * are ms from 0 to Number.MAX_SAFE_INTEGER (truncated to whole ms); larger
   * values, negative ones and NaN throw RangeError ERR_OUT_OF_RANGE (nothing
   * is clamped).
   */
  start(cb: (timer: this) => void, timeout: number, repeat = 0): void {
    this._checkOpen('start');
    checkFunction(cb, 'callback');
    const t = checkMs(timeout, 'timeout');
    const r = checkMs(repeat, 'repeat');
    this._callback = cb as (timer: Timer) => void;
    if (r !== this._repeat) this._repeat = r;
    this._home._timers!.restart(this, t);
  }

  stop(): void {
    this._checkOpen('stop');
    if (this._prev !== null) this._home._timers!.remove(this);
  }

  /** Restarts a repeating timer; TimerError EINVAL if it was never started. */
  again(): void {
    this._checkOpen('again');
    if (this._callback === null) throw this._error(UV_EINVAL, 'uv_timer_again');
    if (this._repeat > 0) this._home._timers!.restart(this, this._repeat);
  }

  get repeat(): number {
    return this._repeat;
  }

  set repeat(value: number) {
    this._checkOpen('repeat');
    this._repeat = checkMs(value, 'repeat');
  }

  /** Ms until the timer fires; 0 if it is not running. */
  get dueIn(): number {
    return this._prev !== null ? Math.max(0, this._due - this._home._timers!.now()) : 0;
  }

  override get active(): boolean {
    return this._prev !== null;
  }

  override get ref(): boolean {
    return this._refed;
  }

  override set ref(value: boolean) {
    this._checkOpen('ref');
    checkBoolean(value, 'ref');
    if (value === this._refed) return;
    this._refed = value;
    if (this._prev !== null) this._home._timers!.refChanged(value);
  }

  /** @internal close(): stops the timer; the close callbacks run in the loop's close phase, as any handle's. */
  override _closeNative(): void {
    if (this._prev !== null) this._home._timers!.remove(this);
    this._home._native.closePhase(this); // the registry skips it from now on: it is closed
  }

  /** @internal */
  override _facts(): Facts {
    return this._prev !== null ? { dueIn: this.dueIn, repeat: this._repeat } : { repeat: this._repeat };
  }

  override fileno(): number {
    this._checkOpen('fileno');
    throw this._error(UV_EBADF, 'fileno');
  }

  static {
    const proto = Timer.prototype as { _repeat: number; _context: AsyncResource | null; _refed: boolean };
    proto._repeat = 0;
    proto._context = null;
    proto._refed = true;
    binding.setCallbacks({
      onTimers(this: Loop): boolean {
        return this._timers!.fire();
      },
    });
  }
}

export type { TimerQueue };
