import { binding, NativeHandle } from './binding';
import { HandleError } from './errors';
import { WrappedHandle, withNative } from './handle';
import { Facts } from './inspect';
import type { Loop } from './loop';
import { checkFunction, checkSignal } from './validate';

interface NativeSignal extends NativeHandle {
  _$start(signum: number, oneshot: boolean): void;
  _$stop(): void;
  _$signum(): number;
}

/** A libuv failure of a Signal. */
export class SignalError extends HandleError {}

/** Receives a signal (a number or a name such as 'SIGUSR1') in the loop. */
export class Signal extends WrappedHandle<NativeSignal> {
  static override errorClass = SignalError;
  private _callback: ((signum: number, handle: this) => void) | null = null;

  constructor(loop?: Loop) {
    super(loop, binding.Signal);
  }

  start(cb: (signum: number, handle: this) => void, signum: number | string): void {
    this._start(cb, signum, false);
  }

  /** Like start(), but stops after the first signal. */
  startOneshot(cb: (signum: number, handle: this) => void, signum: number | string): void {
    this._start(cb, signum, true);
  }

  private _start(cb: (signum: number, handle: this) => void, signum: unknown, oneshot: boolean) {
    const n = this._use(oneshot ? 'startOneshot' : 'start');
    checkFunction(cb, 'callback');
    const num = checkSignal(signum);
    this._callback = cb;
    n._$start(num, oneshot);
  }

  stop(): void {
    this._use('stop')._$stop();
  }

  /** The signal being watched, 0 if none. */
  get signum(): number {
    return this._native._$signum();
  }

  /** @internal */
  override _facts(): Facts {
    const signum = this.signum;
    return signum === 0 ? {} : { signum };
  }

  static {
    withNative(this, binding.Signal);
    binding.setCallbacks({
      onSignal(this: Signal, signum: number) {
        this._callback!.call(null, signum, this);
      },
    });
  }
}
