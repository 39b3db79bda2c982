import { binding, NativeHandle } from './binding';
import { AsyncError } from './errors';
import { Handle } from './handle';
import type { Loop } from './loop';
import { checkOptionalFunction } from './validate';

interface NativeAsync extends NativeHandle {
  send(): void;
}

/** Wakes its loop: send() makes the loop call cb once; sends coalesce. */
export class Async extends Handle<NativeAsync> {
  static override errorClass = AsyncError;
  private _callback: ((handle: this) => void) | null;

  constructor(loop?: Loop, cb?: (handle: Async) => void) {
    checkOptionalFunction(cb, 'callback');
    super(loop, binding.Async);
    this._callback = cb ?? null;
  }

  send(): void {
    this._n.send();
  }

  static {
    binding.setCallbacks({
      onAsync(this: Async) {
        if (this._callback !== null) this._callback.call(null, this);
      },
    });
  }
}
