import { inspect } from 'util';
import { binding, NativeLoop } from './binding';
import { inspectAs } from './inspect';
import type { Handle } from './handle';
import type { TimerQueue } from './timer';
import { UV_RUN_DEFAULT, UV_RUN_NOWAIT, UV_RUN_ONCE } from './constants';
import { loopClosedError } from './errors';
import { checkOneOf, invalidArgType } from './validate';
import { WorkRequest, queueWork } from './work';
import * as metrics from './metrics';
import type { LoopMetrics, LoopOptions } from './metrics';

let defaultLoop: Loop | null = null; // module state is per thread: one default loop each

/**
 * A libuv event loop of its own, separate from Node's. `run()` blocks the
 * calling thread and runs this loop's callbacks synchronously; promise
 * continuations and nextTicks queued by them run after `run()` returns.
 * `attach()` instead drives the loop from Node's own event loop.
 */
export class Loop {
  /** Called with an exception thrown by a callback; the loop then goes on. */
  excepthook: ((err: unknown, loop: Loop) => void) | null = null;
  /** @internal */
  readonly _native: NativeLoop;
  /** @internal */
  _closed = false;
  /** @internal This loop's timers (lib/timer.ts), made with the first one. */
  _timers: TimerQueue | null = null;
  /** @internal Whether attach() is in force (also read for every new Timer). */
  _attachedFlag = false;

  /** @internal loop_count after the setup turn (native/metrics.cc). */
  private readonly _metricsBase: number;

  /** A new loop; `opts` are libuv's loop options (uv_loop_configure). */
  constructor(opts?: LoopOptions) {
    const checked = metrics.checkLoopOptions(opts);
    this._native = new binding.Loop(this, ...checked);
    this._metricsBase = metrics.loopCountNow(this);
  }

  /** This thread's default loop (the main thread and each worker_thread have one). */
  static default(): Loop {
    if (defaultLoop === null || defaultLoop._closed) defaultLoop = new Loop();
    return defaultLoop;
  }

  /** Runs the loop; returns true if there is more to do. */
  run(mode: number = UV_RUN_DEFAULT): boolean {
    const m = checkOneOf(mode, 'mode', [UV_RUN_DEFAULT, UV_RUN_ONCE, UV_RUN_NOWAIT],
      'UV_RUN_DEFAULT, UV_RUN_ONCE or UV_RUN_NOWAIT');
    if (metrics.debugRun === null || m === UV_RUN_NOWAIT || this._native.running()) return this._native.run(m);
    metrics.debugArm(this); // UVKIT_DEBUG_RUN (lib/metrics.ts)
    try {
      return this._native.run(m);
    } finally {
      metrics.debugDisarm(this);
    }
  }

  stop(): void {
    this._native.stop();
  }

  /** The loop's cached time in ms. */
  now(): number {
    return this._native.now();
  }

  updateTime(): void {
    this._native.updateTime();
  }

  /** The backend (epoll) fd, for embedding this loop in another one. */
  fileno(): number {
    return this._native.fileno();
  }

  /** The backend timeout in ms; -1 means no timeout. */
  getTimeout(): number {
    return this._native.getTimeout();
  }

  /** Loop metrics (uv_metrics_info, uv_metrics_idle_time); idleTime in ms needs `metricsIdleTime`. */
  metrics(): LoopMetrics {
    return metrics.loopMetrics(this, this._metricsBase);
  }

  /**
   * libuv's list of this loop's handles (uv_print_all_handles, or
   * uv_print_active_handles with 'active'): one line per handle, flags R
   * (referenced), A (active), I (libuv internal), then type and address.
   * uvkit's own internal handles (a timer driving its timers, an async for
   * queueWork results) show too.
   */
  printHandles(which: 'all' | 'active' = 'all'): string {
    return metrics.printHandles(this, which);
  }

  get alive(): boolean {
    return this._native.alive();
  }

  get running(): boolean {
    return this._native.running();
  }

  /** Every open or closing handle of this loop. */
  get handles(): Handle[] {
    return this._native.handles() as Handle[];
  }

  /** Drives this loop from Node's event loop, without blocking. */
  attach(): void {
    this._native.attach();
    this._attachedFlag = true;
  }

  detach(): void {
    this._native.detach();
    this._attachedFlag = false;
  }

  get attached(): boolean {
    return this._attachedFlag;
  }

  /**
   * Runs `work(...args)` on a pool thread. `work` must be self-contained (it
   * is sent as source); args and result are structured-cloned. `done(err,
   * result)` runs on this loop, also while it is blocked in run(); the loop
   * stays alive until it has.
   */
  queueWork<A extends unknown[], R>(
    work: (...args: A) => R | Promise<R>,
    args: A,
    done?: (err: Error | null, result: R | undefined) => void,
  ): WorkRequest {
    return queueWork(this, work, args, done);
  }

  /** `Loop { alive: true, running: false, attached: false, handles: 3 }`; `Loop { closed: true }`. */
  [inspect.custom](depth: number, options: object, fn?: Function): string {
    const facts = this._closed
      ? { closed: true }
      : { alive: this.alive, running: this.running, attached: this._attachedFlag, handles: this.handles.length };
    return inspectAs('Loop', facts, depth, options, fn);
  }

  /** Closes the loop; throws UVError EBUSY while handles are open. */
  close(): void {
    this._native.close();
    this._closed = true;
    this._attachedFlag = false; // closing detached it
  }

  static {
    binding.setCallbacks({
      onLoopException(this: Loop, err: unknown): boolean {
        const hook = this.excepthook;
        if (hook === null || hook === undefined) return false;
        hook.call(null, err, this);
        return true;
      },
    });
  }
}

/** The loop argument of every handle constructor: a Loop, or the thread's default. */
export function loopArg(loop: unknown): Loop {
  if (loop === undefined || loop === null) return Loop.default();
  if (!(loop instanceof Loop)) throw invalidArgType('loop', 'Loop', loop);
  if (loop._closed) throw loopClosedError();
  return loop;
}
