import { binding } from './binding';
import { UV_TTY_MODE_IO, UV_TTY_MODE_NORMAL, UV_TTY_MODE_RAW } from './constants';
import type { Loop } from './loop';
import { NativeStream, Stream, StreamError } from './stream';
import { checkBoolean, checkFd, checkOneOf } from './validate';
import { withNative } from './handle';

/** A libuv failure of a TTY. */
export class TTYError extends StreamError {}

interface NativeTTY extends NativeStream {
  _$setMode(mode: number): void;
  _$getWinsize(): { width: number; height: number };
}

function checkReadable(readable: unknown): boolean {
  checkBoolean(readable, 'readable');
  return readable;
}

/** A terminal on `fd`. libuv reopens the terminal when it can, else uses (and closes) fd itself. */
export class TTY extends Stream<NativeTTY> {
  static {
    withNative(this, binding.TTY);
  }

  static override errorClass = TTYError;

  constructor(loop: Loop | undefined, fd: number, readable: boolean) {
    super(loop, binding.TTY, checkFd(fd), checkReadable(readable));
  }

  /** UV_TTY_MODE_NORMAL, UV_TTY_MODE_RAW or UV_TTY_MODE_IO. */
  setMode(mode: number): void {
    const n = this._use('setMode');
    n._$setMode(checkOneOf(mode, 'mode', [UV_TTY_MODE_NORMAL, UV_TTY_MODE_RAW, UV_TTY_MODE_IO],
      'UV_TTY_MODE_NORMAL, UV_TTY_MODE_RAW or UV_TTY_MODE_IO'));
  }

  getWinsize(): { width: number; height: number } {
    return this._use('getWinsize')._$getWinsize();
  }

  /**
   * Restores the terminal mode saved by the first setMode() of the process.
   * Call it before closing that TTY: libuv restores through its fd, so after
   * the close it throws TTYError EBADF (or reaches whatever reused the fd).
   */
  static resetMode(): void {
    const r: number = binding.ttyResetMode();
    if (r !== 0) throw new TTYError(r, 'uv_tty_reset_mode');
  }
}
