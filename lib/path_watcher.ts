// What FSEvent and FSPoll share: a handle that watches one path, reports
// errors with that path, and tells which path it watches.
import { NativeHandle } from './binding';
import { WrappedHandle } from './handle';
import { Facts } from './inspect';
import { checkFunction } from './validate';

export interface NativePathWatcher extends NativeHandle {
  _$start(path: string, arg: number): void;
  _$stop(): void;
  _$getPath(): string | null;
}

export abstract class PathWatcher extends WrappedHandle<NativePathWatcher> {
  protected _callback: Function | null = null;

  /** Starts watching the checked `path` with the type's own argument (flags, interval). */
  protected _watch(n: NativePathWatcher, path: string, arg: number, cb: Function): void {
    checkFunction(cb, 'callback');
    n._$start(path, arg);
    this._callback = cb;
  }

  stop(): void {
    this._use('stop')._$stop();
  }

  /** The watched path, or null when not started. */
  get path(): string | null {
    return this._native._$getPath();
  }

  /** @internal */
  override _facts(): Facts {
    const path = this.path;
    return path === null ? {} : { path };
  }
}
