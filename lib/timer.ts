import { binding, NativeHandle } from './binding';
import { TimerError } from './errors';
import { Handle } from './handle';
import type { Loop } from './loop';
import { checkFunction, checkMs } from './validate';

interface NativeTimer extends NativeHandle {
  start(timeout: number, repeat: number): void;
  stop(): void;
  again(): void;
  getRepeat(): number;
  setRepeat(repeat: number): void;
  dueIn(): number;
}

export class Timer extends Handle<NativeTimer> {
  static override errorClass = TimerError;
  private _callback: ((timer: this) => void) | null = null;

  constructor(loop?: Loop) {
    super(loop, binding.Timer);
  }

  /** Calls cb after `timeout` ms, then every `repeat` ms if repeat > 0. */
  start(cb: (timer: this) => void, timeout: number, repeat = 0): void {
    const n = this._n;
    checkFunction(cb, 'callback');
    const t = checkMs(timeout, 'timeout');
    const r = checkMs(repeat, 'repeat');
    this._callback = cb;
    n.start(t, r);
  }

  stop(): void {
    this._n.stop();
  }

  /** Restarts a repeating timer; TimerError EINVAL if it was never started. */
  again(): void {
    this._n.again();
  }

  get repeat(): number {
    return this._native.getRepeat();
  }

  set repeat(value: number) {
    const n = this._n;
    n.setRepeat(checkMs(value, 'repeat'));
  }

  /** Ms until the timer fires; 0 if it is not running. */
  get dueIn(): number {
    return this._native.dueIn();
  }

  static {
    binding.setCallbacks({
      onTimer(this: Timer) {
        this._callback!.call(null, this);
      },
    });
  }
}
