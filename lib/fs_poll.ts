import { binding } from './binding';
import { HandleError, UVError } from './errors';
import type { Loop } from './loop';
import { PathWatcher } from './path_watcher';
import { Stat, statResult } from './stat';
import { checkMs, checkPath } from './validate';
import { withNative } from './handle';

/** A libuv failure of an FSPoll; `path` is the polled path. */
export class FSPollError extends HandleError {}

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
export class FSPoll extends PathWatcher {
  static override errorClass = FSPollError;

  constructor(loop?: Loop) {
    super(loop, binding.FSPoll);
  }

  start(path: string, intervalMs: number, cb: FSPollCallback<this>): void {
    const n = this._use('start');
    const p = checkPath(path);
    const interval = checkMs(intervalMs, 'intervalMs', 0xffffffff); // libuv's unsigned int
    this._watch(n, p, interval, cb);
  }

  static {
    withNative(this, binding.FSPoll);
    binding.setCallbacks({
      // prev and curr are in stat slots 0 and 1 when present.
      onFSPoll(this: FSPoll, err: FSPollError | null, hasPrev: boolean, hasCurr: boolean) {
        this._callback!.call(null, err, hasPrev ? statResult(0) : null, hasCurr ? statResult(1) : null, this);
      },
    });
  }
}
