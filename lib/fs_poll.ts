import { binding, NativeHandle } from './binding';
import { FSPollError, UVError } from './errors';
import { Handle } from './handle';
import type { Loop } from './loop';
import type { Stat } from './fs';
import { checkFunction, checkMs, checkPath } from './validate';

interface NativeFSPoll extends NativeHandle {
  start(path: string, intervalMs: number): number;
  stop(): void;
  getPath(): string | null;
}

export type FSPollCallback<H> = (err: UVError | null, prev: Stat | null, curr: Stat | null, handle: H) => void;

/**
 * Polls a path with stat() every `intervalMs` and calls back once per
 * change, as libuv's uv_fs_poll does:
 * - the stat differs from the last one: (null, prev, curr);
 * - the stat fails (the file is missing or went away): (err, prev, null),
 *   once per distinct error; err.path is the polled path;
 * - the file appears after an error: (null, prev, curr).
 * `prev` is the last successful stat, or null if there was none yet. The
 * first successful stat of an existing file gives no callback. start() on a
 * started FSPoll restarts it with the new path, interval and callback.
 */
export class FSPoll extends Handle<NativeFSPoll> {
  static override errorClass = FSPollError;
  private _callback: FSPollCallback<this> | null = null;
  private _watched = '';

  constructor(loop?: Loop) {
    super(loop, binding.FSPoll);
  }

  start(path: string, intervalMs: number, cb: FSPollCallback<this>): void {
    const n = this._n;
    const p = checkPath(path);
    const interval = checkMs(intervalMs, 'intervalMs');
    if (interval > 0xffffffff) throw new RangeError(`intervalMs is too large: ${intervalMs}`);
    checkFunction(cb, 'callback');
    const r = n.start(p, interval);
    if (r !== 0) throw new FSPollError(r, 'uv_fs_poll_start', p);
    this._callback = cb;
    this._watched = p;
  }

  stop(): void {
    this._n.stop();
  }

  /** The polled path, or null when not started. */
  get path(): string | null {
    return this._native.getPath();
  }

  static {
    binding.setCallbacks({
      onFSPoll(this: FSPoll, status: number, prev: Stat | null, curr: Stat | null) {
        const err = status < 0 ? new FSPollError(status, 'uv_fs_poll', this._watched) : null;
        this._callback!.call(null, err, prev, curr, this);
      },
    });
  }
}
