import { binding, NativeHandle } from './binding';
import { HandleError } from './errors';
import { WrappedHandle, withNative } from './handle';
import type { Loop } from './loop';
import { checkOptionalFunction, invalidArgValue } from './validate';

/** A libuv failure of an Async. */
export class AsyncError extends HandleError {}

interface NativeAsync extends NativeHandle {
  _$send(): void;
  _$transferable(): number;
}

/** What Async.transferable() gives: a plain value that can be posted to a worker_thread. */
export interface AsyncTransferable {
  readonly uvkitAsync: number;
}

/** The sending side of an Async, in any thread. */
export class AsyncSender {
  /** @internal */
  constructor(private readonly _id: number) {}

  /** Wakes the Async's loop; does nothing once the Async is closed. */
  send(): void {
    binding.asyncSend(this._id);
  }
}

/**
 * Wakes its loop: send() makes the loop call cb once; sends coalesce (several
 * sends before the callback runs give one callback; a send made from the
 * callback gives another, in a later loop iteration). send() on the Async
 * itself comes from the loop's own thread and costs no syscall: the loop
 * turns without blocking while a send is pending (`loop.getTimeout()` is 0),
 * and the callback runs after that iteration's I/O. Other threads send
 * through `Async.fromTransferable()`, which wakes the loop with
 * `uv_async_send` (an eventfd write). close() drops a pending send.
 */
export class Async extends WrappedHandle<NativeAsync> {
  static override errorClass = AsyncError;
  private _callback: ((handle: this) => void) | null;

  constructor(loop?: Loop, cb?: (handle: Async) => void) {
    checkOptionalFunction(cb, 'callback');
    super(loop, binding.Async);
    this._callback = cb ?? null;
  }

  /** Makes the loop call back once, soon; no syscall (see the class). */
  send(): void {
    this._use('send')._$send();
  }

  /** A value to post to another thread, where `Async.fromTransferable(v).send()` wakes this handle. */
  transferable(): AsyncTransferable {
    return { uvkitAsync: this._use('transferable')._$transferable() };
  }

  static fromTransferable(value: AsyncTransferable): AsyncSender {
    const id = (value as AsyncTransferable | null)?.uvkitAsync;
    if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) {
      throw invalidArgValue('value', value, 'must come from Async.prototype.transferable()');
    }
    return new AsyncSender(id);
  }

  static {
    withNative(this, binding.Async);
    binding.setCallbacks({
      onAsync(this: Async) {
        if (this._callback !== null) this._callback.call(null, this);
      },
    });
  }
}
