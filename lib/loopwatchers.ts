// Prepare, Check and Idle: run a callback once per loop iteration, before
// polling for I/O (prepare), after it (check), or instead of blocking (idle).
import { binding, NativeCtor, NativeHandle } from './binding';
import { HandleError } from './errors';
import { WrappedHandle, withNative } from './handle';
import type { Loop } from './loop';
import { checkFunction } from './validate';

/** A libuv failure of a Prepare. */
export class PrepareError extends HandleError {}

/** A libuv failure of an Idle. */
export class IdleError extends HandleError {}

/** A libuv failure of a Check. */
export class CheckError extends HandleError {}

interface NativeWatcher extends NativeHandle {
  _$start(): void;
  _$stop(): void;
}

abstract class LoopWatcher extends WrappedHandle<NativeWatcher> {
  private _callback: ((handle: this) => void) | null = null;

  protected constructor(loop: Loop | undefined, Native: NativeCtor<NativeWatcher>) {
    super(loop, Native);
  }

  start(cb: (handle: this) => void): void {
    const n = this._use('start');
    checkFunction(cb, 'callback');
    this._callback = cb;
    n._$start();
  }

  stop(): void {
    this._use('stop')._$stop();
  }

  static {
    binding.setCallbacks({
      onWatcher(this: LoopWatcher) {
        this._callback!.call(null, this);
      },
    });
  }
}

export class Prepare extends LoopWatcher {
  static {
    withNative(this, binding.Prepare);
  }

  static override errorClass = PrepareError;
  constructor(loop?: Loop) {
    super(loop, binding.Prepare);
  }
}

export class Check extends LoopWatcher {
  static {
    withNative(this, binding.Check);
  }

  static override errorClass = CheckError;
  constructor(loop?: Loop) {
    super(loop, binding.Check);
  }
}

export class Idle extends LoopWatcher {
  static {
    withNative(this, binding.Idle);
  }

  static override errorClass = IdleError;
  constructor(loop?: Loop) {
    super(loop, binding.Idle);
  }
}
