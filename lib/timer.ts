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

/** Timers started with one timeout, in due order. */
class TimerList {
  head: Timer | null = null;
  tail: Timer | null = null;
  index = -1; // position in TimerQueue.heap
  constructor(readonly timeout: number) {}
}

// Whether list a's first timer fires before list b's.
function before(a: TimerList, b: TimerList): boolean {
  const x = a.head!;
  const y = b.head!;
  return x._due < y._due || (x._due === y._due && x._seq < y._seq);
}

/** The timers of one loop. */
class TimerQueue {
  private readonly lists = new Map<number, TimerList>();
  private readonly heap: TimerList[] = [];
  private seq = 0;
  private refed = 0; // active timers that keep the loop alive
  private armedDue = -1; // what the native driver is armed for
  private armedRef = false;
  private deferArm = false; // set while fire() or restart() run: they arm once, at the end
  readonly clock: Float64Array; // [0]: the loop's time (uv_now), kept by native
  private readonly native: NativeLoop;

  constructor(readonly loop: Loop) {
    this.native = loop._native;
    this.clock = this.native.timerClock();
  }

  insert(t: Timer, interval: number): void {
    t._due = this.clock[0] + interval;
    t._seq = this.seq++;
    t._active = true;
    let list = this.lists.get(interval);
    if (list === undefined) {
      list = new TimerList(interval);
      this.lists.set(interval, list);
    }
    t._list = list;
    t._prev = list.tail;
    t._next = null;
    if (list.tail === null) {
      list.head = list.tail = t;
      this.push(list);
    } else {
      list.tail._next = t;
      list.tail = t;
    }
    if (t._refed) this.refed++;
    if (this.armedDue < 0 || t._due < this.armedDue || (t._refed && !this.armedRef)) this.arm();
  }

  remove(t: Timer): void {
    const list = t._list!;
    const wasHead = list.head === t;
    if (t._prev !== null) t._prev._next = t._next;
    else list.head = t._next;
    if (t._next !== null) t._next._prev = t._prev;
    else list.tail = t._prev;
    t._prev = t._next = t._list = null;
    t._active = false;
    if (list.head === null) {
      this.lists.delete(list.timeout);
      this.removeAt(list.index);
    } else if (wasHead) {
      this.down(list.index); // its first timer is now a later one
    }
    if (t._refed) this.refed--;
    if (wasHead || this.refed === 0) this.arm();
  }

  /** (Re)starts a timer, active or not, with one arm() for both steps. */
  restart(t: Timer, interval: number): void {
    const deferred = this.deferArm;
    this.deferArm = true;
    if (t._active) this.remove(t);
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
    const first = this.heap[0];
    const due = first === undefined ? -1 : first.head!._due;
    const ref = this.refed > 0;
    if (due !== this.armedDue || ref !== this.armedRef) {
      this.armedDue = due;
      this.armedRef = ref;
      this.native.timerArm(due, ref);
    }
  }

  /**
   * The driver fired: runs every due timer, or one when attached. Returns
   * whether a timer is still due; native calls again until none is.
   */
  fire(): boolean {
    this.armedDue = -2; // the driver has stopped: arm() must call native
    const clock = this.clock;
    const heap = this.heap;
    const one = this.loop._attachedFlag; // callbacks drain microtasks one by one
    this.deferArm = true;
    try {
      for (;;) {
        const list = heap[0];
        if (list === undefined) break;
        const t = list.head!;
        if (t._due > clock[0]) break;
        this.remove(t);
        if (t._repeat > 0) this.insert(t, t._repeat);
        if (t._context === null) t._callback!.call(null, t);
        else t._context.runInAsyncScope(t._callback!, null, t);
        if (one) break;
      }
    } finally {
      this.deferArm = false;
      this.arm();
    }
    const next = heap[0];
    return next !== undefined && next.head!._due <= clock[0];
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
  /** @internal */ readonly _queue: TimerQueue;
  /** @internal */ readonly _slot: number; // in the loop's native registry
  /** @internal */ _callback: ((timer: Timer) => void) | null = null;
  /** @internal made while attached: the async context callbacks run in */
  _context: AsyncResource | null;
  /** @internal */ _due = 0;
  /** @internal */ _seq = 0;
  /** @internal */ _repeat = 0;
  /** @internal */ _active = false;
  /** @internal */ _refed = true;
  /** @internal */ _list: TimerList | null = null;
  /** @internal */ _prev: Timer | null = null;
  /** @internal */ _next: Timer | null = null;

  constructor(loop?: Loop) {
    super(loop);
    const l = this._loop!;
    this._queue = l._timers ?? (l._timers = new TimerQueue(l));
    this._slot = l._native.timerTrack(this);
    this._context = l._attachedFlag ? new AsyncResource('uvkit.Timer') : null;
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
    this._repeat = r;
    this._queue.restart(this, t);
  }

  stop(): void {
    this._checkOpen('stop');
    if (this._active) this._queue.remove(this);
  }

  /** Restarts a repeating timer; TimerError EINVAL if it was never started. */
  again(): void {
    this._checkOpen('again');
    if (this._callback === null) throw this._error(UV_EINVAL, 'uv_timer_again');
    if (this._repeat > 0) this._queue.restart(this, this._repeat);
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
    return this._active ? Math.max(0, this._due - this._queue.clock[0]) : 0;
  }

  override get active(): boolean {
    return this._active;
  }

  override get ref(): boolean {
    return this._refed;
  }

  override set ref(value: boolean) {
    this._checkOpen('ref');
    checkBoolean(value, 'ref');
    if (value === this._refed) return;
    this._refed = value;
    if (this._active) this._queue.refChanged(value);
  }

  /** @internal close(): stops the timer; the close callbacks run in the loop's close phase, as any handle's. */
  override _closeNative(): void {
    if (this._active) this._queue.remove(this);
    const native = this._loop!._native;
    native.timerUntrack(this._slot);
    native.closePhase(this);
  }

  /** @internal */
  override _facts(): Facts {
    return this._active ? { dueIn: this.dueIn, repeat: this._repeat } : { repeat: this._repeat };
  }

  override fileno(): number {
    this._checkOpen('fileno');
    throw this._error(UV_EBADF, 'fileno');
  }

  static {
    binding.setCallbacks({
      onTimers(this: Loop): boolean {
        return this._timers!.fire();
      },
    });
  }
}

export type { TimerQueue };
