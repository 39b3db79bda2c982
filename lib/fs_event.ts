import { binding } from './binding';
import { HandleError, UVError } from './errors';
import type { Loop } from './loop';
import { PathWatcher } from './path_watcher';
import { checkFlags, checkPath } from './validate';
import { withNative } from './handle';

/** UV_FS_EVENT_WATCH_ENTRY | UV_FS_EVENT_STAT | UV_FS_EVENT_RECURSIVE */
const FLAG_MASK =
  binding.constants.UV_FS_EVENT_WATCH_ENTRY | binding.constants.UV_FS_EVENT_STAT | binding.constants.UV_FS_EVENT_RECURSIVE;

/** A libuv failure of an FSEvent; `path` is the watched path. */
export class FSEventError extends HandleError {}

export type FSEventCallback<H> = (err: UVError | null, filename: string | null, events: number, handle: H) => void;

/**
 * Watches a file or a directory for changes (inotify on Linux). `events` is
 * UV_RENAME and/or UV_CHANGE; `filename` is the entry concerned (for a
 * directory, the name inside it; for a file, its own base name).
 * UV_FS_EVENT_RECURSIVE is not implemented by libuv on Linux: the flag
 * is accepted and ignored (only the directory's own entries are reported).
 * start() on a started FSEvent throws FSEventError EINVAL, as libuv does.
 */
export class FSEvent extends PathWatcher {
  static override errorClass = FSEventError;

  constructor(loop?: Loop) {
    super(loop, binding.FSEvent);
  }

  start(path: string, flags: number, cb: FSEventCallback<this>): void {
    const n = this._use('start');
    const p = checkPath(path);
    checkFlags(flags, 'flags', FLAG_MASK, 'UV_FS_EVENT_* flags');
    this._watch(n, p, flags, cb);
  }

  static {
    withNative(this, binding.FSEvent);
    binding.setCallbacks({
      onFSEvent(this: FSEvent, err: FSEventError | null, filename: string | null, events: number) {
        this._callback!.call(null, err, filename, events, this);
      },
    });
  }
}
