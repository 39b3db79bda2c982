import { inspect } from 'util';
import { NativeCtor, NativeHandle, NativeLoop, binding } from './binding';
import { ErrorClass, HandleClosedError, HandleError, UVError, withAddress } from './errors';
import { Facts, inspectAs } from './inspect';
import { Loop, loopArg } from './loop';
import { checkBoolean, checkInteger, checkOptionalFunction } from './validate';

type CloseCallback = (handle: any) => void;

// Runs the close callbacks of a handle in order; one that throws still lets
// the others run, and its exception goes on to the loop afterwards.
function runCloseCallbacks(cbs: CloseCallback | CloseCallback[], handle: Handle, from = 0): void {
  if (typeof cbs === 'function') return cbs.call(null, handle);
  for (let i = from; i < cbs.length; i++) {
    try {
      cbs[i].call(null, handle);
    } catch (err) {
      runCloseCallbacks(cbs, handle, i + 1);
      throw err;
    }
  }
}

/**
 * The base of every handle: the state every handle keeps in JavaScript (its
 * loop, whether it is closed, what runs once it has closed) and what follows
 * from it (close(), the open check, inspection). Most handles have a native
 * wrap (WrappedHandle); Timer keeps its state in JavaScript.
 */
export abstract class Handle {
  /** The class of errors concerning this handle type. */
  static errorClass: ErrorClass = HandleError;

  // data, _closed, _closeDone and _closeCallback start as the prototype's
  // (undefined, false, false, null) and become the handle's own when set: a
  // handle that never sets them is 32 bytes smaller, which a million timers
  // and ten thousand idle connections feel.
  /** Free for the user. */
  declare data: unknown;
  /** @internal the loop, also once the handle has closed */
  readonly _home: Loop;
  /** @internal */
  declare _closed: boolean;
  /** @internal true once the close callbacks have run (then `loop` is null) */
  declare _closeDone: boolean;
  /** @internal what runs once the handle has closed: one callback, several, or none */
  declare _closeCallback: CloseCallback | CloseCallback[] | null;

  // Not run for a WrappedHandle, whose super() reaches the native class
  // (NativeBase below): what is set here, WrappedHandle's constructor sets too.
  protected constructor(loop: Loop | undefined) {
    this._home = loopArg(loop);
  }

  /** @internal The loop, or null once the close callbacks have run (a field less per handle than keeping both). */
  get _loop(): Loop | null {
    return this._closeDone ? null : this._home;
  }

  /**
   * @internal The open check before a call of `method`: throws
   * HandleClosedError ("Timer.start(): handle is closed") once the handle is
   * closing or closed.
   */
  _checkOpen(method: string): void {
    if (this._closed) throw new HandleClosedError(this.constructor.name, method);
  }

  /**
   * @internal A failed write or send that had no callback: its error goes
   * where a callback's exception goes (loop.excepthook, or run() throws it;
   * attached: 'uncaughtException'), carrying the handle as `err.handle` so
   * that a hook can close it.
   */
  _unclaimed(err: UVError): UVError {
    Object.defineProperty(err, 'handle', { value: this, configurable: true, writable: true, enumerable: false });
    return err;
  }

  /** @internal An error of this handle's class. */
  _error(errno: number, syscall: string, path?: string): UVError {
    return new (this.constructor as typeof Handle).errorClass(errno, syscall, path);
  }

  /**
   * @internal Runs `call` (a native socket call); a UVError it throws is
   * given the address concerned (ip and port, or a pipe's name) first.
   */
  _atAddress<R>(address: string | null | undefined, port: number | undefined, call: () => R): R {
    try {
      return call();
    } catch (err) {
      throw withAddress(err as UVError, address, port);
    }
  }

  /** The loop, or null once the close callback has run. */
  get loop(): Loop | null {
    return this._loop;
  }

  abstract get active(): boolean;

  /** True from close() on. */
  get closed(): boolean {
    return this._closed;
  }

  /** Whether the handle keeps its loop alive (uv_ref / uv_unref). */
  abstract get ref(): boolean;
  abstract set ref(value: boolean);

  /**
   * Closes the handle; cb(handle) runs in the loop's close phase. On a
   * handle that is closing or closed it does nothing and throws nothing (as
   * Node's destroy()), and a callback given then runs once, after the
   * handle has closed.
   */
  close(cb?: (handle: this) => void): void {
    checkOptionalFunction(cb, 'callback');
    if (this._closed) return this._closeAgain(cb);
    this._closed = true;
    this._closeCallback = cb ?? null;
    this._closeNative();
  }

  /**
   * @internal Starts closing (close() has marked the handle closed); the
   * close callbacks run from onClose, in the loop's close phase.
   */
  abstract _closeNative(): void;

  /** @internal close(cb) on a handle that is closing or closed. */
  _closeAgain(cb: CloseCallback | null | undefined): void {
    if (cb === undefined || cb === null) return;
    const pending = this._closeCallback;
    if (pending !== null) {
      this._closeCallback = typeof pending === 'function' ? [pending, cb] : [...pending, cb];
      return;
    }
    this._closeCallback = cb;
    if (this._loop !== null) return; // still closing: onClose runs it
    // Closed already: the callback goes through the loop's close phase,
    // like any close callback; on Node's loop if the handle's loop is closed
    // too.
    const home = this._home;
    if (!home._closed) {
      home._native.closePhase(this);
    } else {
      process.nextTick(() => this._finishClose());
    }
  }

  /** @internal The close is done: runs the close callbacks (every one; the first error is rethrown after them). */
  _finishClose(): void {
    this._closeDone = true;
    const cbs = this._closeCallback;
    this._closeCallback = null;
    if (cbs !== null) runCloseCallbacks(cbs, this);
  }

  /** The handle's fd; UVError EBADF for handles without one. */
  abstract fileno(): number;

  /** @internal What util.inspect shows besides the state: fd, addresses, path, pid. */
  abstract _facts(): Facts;

  get [Symbol.toStringTag](): string {
    return this.constructor.name;
  }

  /** `TCP { active: true, ref: true, closed: false, fd: 21, local: '127.0.0.1:41234', … }`. */
  [inspect.custom](depth: number, options: object, fn?: Function): string {
    const state: Facts = { active: this.active, ref: this.ref, closed: this._closed };
    if (this._closed && this._loop !== null) state.closing = true;
    return inspectAs(this.constructor.name, Object.assign(state, this._facts()), depth, options, fn);
  }

  static {
    const proto = Handle.prototype as { data: unknown; _closed: boolean; _closeDone: boolean; _closeCallback: null };
    proto.data = undefined;
    proto._closed = false;
    proto._closeDone = false;
    proto._closeCallback = null;
    binding.setCallbacks({
      onClose(this: Handle) {
        this._finishClose();
      },
    });
  }
}

/**
 * What WrappedHandle's super() constructs: the handle type's native class,
 * with the lib/ class (new.target) giving the prototype, so that the native
 * wrap's JavaScript object is the lib/ handle itself. A Proxy, because its
 * construct allocates no object of its own: a base class or function would,
 * and V8 would then swap the lib/ class's cached initial map between two
 * constructors on every handle made.
 */
const NativeBase = new Proxy(function NativeBase() {}, {
  construct(_target, [loop, Native, args]: [NativeLoop, NativeCtor<NativeHandle>, unknown[]], newTarget) {
    return Reflect.construct(Native, [loop, ...args], newTarget);
  },
}) as unknown as (abstract new (loop: NativeLoop, Native: NativeCtor<NativeHandle>, args: unknown[]) => Handle) & {
  errorClass: ErrorClass;
};
Object.setPrototypeOf(NativeBase, Handle); // statics (errorClass) as from Handle

/**
 * A handle with a native wrap (every handle type but Timer), which is the
 * same object: the native class's prototype (its methods, named with "_$"
 * first) sits between the lib/ class's and its base's (`withNative`). The
 * wrap holds the object strongly only while the libuv handle is active, so
 * an active handle works with no reference to it, and an idle one that is
 * dropped is closed by garbage collection.
 */
export abstract class WrappedHandle<N extends NativeHandle = NativeHandle> extends NativeBase {
  /** @internal the wrap's id, for the binding's functions that take one (binding.write) */
  readonly _id: number;

  protected constructor(loop: Loop | undefined, Native: NativeCtor<N>, ...args: unknown[]) {
    const l = loopArg(loop);
    super(l._native, Native, args);
    (this as { _home: Loop })._home = l;
    this._id = this._native._$id();
  }

  /** @internal The native wrap's methods: this object, typed as the wrap. */
  get _native(): N {
    return this as unknown as N;
  }

  /**
   * The native wrap, for a call of `method`: throws HandleClosedError
   * ("TCP.write(): handle is closed") once the handle is closing or closed.
   * @internal
   */
  _use(method: string): N {
    this._sendHeldFirst();
    this._checkOpen(method);
    return this._native;
  }

  override get active(): boolean {
    return !this._closed && this._native._$isActive();
  }

  override get ref(): boolean {
    return this._native._$hasRef();
  }

  override set ref(value: boolean) {
    const n = this._use('ref');
    checkBoolean(value, 'ref');
    n._$setRef(value);
  }

  /**
   * @internal A write or send that a read callback held (Stream, UDP:
   * non-null while one is held), sent by _sendHeld() before anything else
   * the handle does; here, before it closes.
   */
  declare _held: unknown;

  /** @internal */
  _sendHeld(): void {}

  /** @internal Sends a held write or send, if any, before another use of the handle. */
  _sendHeldFirst(): void {
    if (this._held !== null && !this._closed) this._sendHeld();
  }

  static {
    Object.setPrototypeOf(WrappedHandle.prototype, Handle.prototype);
    (WrappedHandle.prototype as { _held: unknown })._held = null;
  }

  /** @internal */
  override _closeNative(): void {
    if (this._held !== null) {
      try {
        this._sendHeld();
      } catch (err) {
        this._native._$close();
        throw this._unclaimed(err as UVError);
      }
    }
    this._native._$close();
  }

  override fileno(): number {
    return this._use('fileno')._$fileno();
  }

  /**
   * @internal SO_SNDBUF (send) or SO_RCVBUF: read with no value, set with
   * one. For the handles that offer sendBufferSize/receiveBufferSize.
   */
  _bufferSize(send: boolean, value?: number): number {
    const name = send ? 'sendBufferSize' : 'receiveBufferSize';
    const n = this._use(name);
    return n._$bufferSize(send, value === undefined ? 0 : checkInteger(value, name, 1, 0x7fffffff));
  }

  /** @internal */
  override _facts(): Facts {
    const facts: Facts = {};
    if (!this._closed) {
      try {
        facts.fd = this._native._$fileno();
      } catch {
        // no fd (yet)
      }
    }
    return facts;
  }
}

/**
 * @internal Puts the prototype of `Native` (a native handle class) between that of
 * `cls` (the lib/ class made with it) and that of its base: the native
 * methods reach the lib/ handle, and it is an instance of `Native` (which
 * the native side checks for handles given as arguments).
 */
export function withNative(cls: abstract new (...args: never[]) => WrappedHandle, Native: NativeCtor<NativeHandle>): void {
  Object.setPrototypeOf(Native.prototype, Object.getPrototypeOf(cls.prototype));
  Object.setPrototypeOf(cls.prototype, Native.prototype);
}
