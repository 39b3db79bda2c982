import { NativeCtor, NativeHandle, binding } from './binding';
import { ErrorClass, HandleClosedError, HandleError, UVError } from './errors';
import { Loop, loopArg } from './loop';
import { checkBoolean, checkOptionalFunction } from './validate';

/**
 * The base of every handle. A handle object owns a native wrap; the wrap
 * holds this object strongly only while the libuv handle is active, so an
 * active handle works with no reference to it, and an idle one that is
 * dropped is closed by garbage collection.
 */
export abstract class Handle<N extends NativeHandle = NativeHandle> {
  /** The class of errors concerning this handle type. */
  static errorClass: ErrorClass = HandleError;

  /** Free for the user. */
  data: unknown = undefined;
  /** @internal */
  _loop: Loop | null;
  /** @internal */
  readonly _native: N;
  /** @internal */
  _closed = false;
  /** @internal */
  _closeCallback: ((handle: this) => void) | null = null;

  // Native is null for Timer, which keeps its state in JavaScript.
  protected constructor(loop: Loop | undefined, Native: NativeCtor<N> | null, ...args: unknown[]) {
    const l = loopArg(loop);
    this._loop = l;
    this._native = Native === null ? (null as unknown as N) : new Native(l._native, this, ...args);
  }

  /** The native wrap, for a method call: throws HandleClosedError once closed. */
  protected get _n(): N {
    if (this._closed) throw new HandleClosedError();
    return this._native;
  }

  /** @internal An error of this handle's class. */
  _error(errno: number, syscall: string, path?: string): UVError {
    return new (this.constructor as typeof Handle).errorClass(errno, syscall, path);
  }

  /** The loop, or null once the close callback has run. */
  get loop(): Loop | null {
    return this._loop;
  }

  get active(): boolean {
    return !this._closed && this._native.isActive();
  }

  /** True from close() on. */
  get closed(): boolean {
    return this._closed;
  }

  /** Whether the handle keeps its loop alive (uv_ref / uv_unref). */
  get ref(): boolean {
    return this._native.hasRef();
  }

  set ref(value: boolean) {
    const n = this._n;
    checkBoolean(value, 'ref');
    n.setRef(value);
  }

  close(cb?: (handle: this) => void): void {
    const n = this._n;
    checkOptionalFunction(cb, 'callback');
    this._closed = true;
    this._closeCallback = cb ?? null;
    n.close();
  }

  /** The handle's fd; UVError EBADF for handles without one. */
  fileno(): number {
    return this._n.fileno();
  }

  static {
    binding.setCallbacks({
      onClose(this: Handle) {
        this._loop = null;
        const cb = this._closeCallback;
        this._closeCallback = null;
        if (cb !== null) cb.call(null, this);
      },
    });
  }
}
