import { binding, NativeHandle } from './binding';
import { UV_DISCONNECT, UV_PRIORITIZED, UV_READABLE, UV_WRITABLE } from './constants';
import { HandleError, UVError } from './errors';
import { WrappedHandle, withNative } from './handle';
import type { Loop } from './loop';
import { checkFd, checkFlags, checkFunction } from './validate';

interface NativePoll extends NativeHandle {
  _$start(events: number): void;
  _$stop(): void;
}

/** A libuv failure of a Poll. */
export class PollError extends HandleError {}

export type PollCallback<H> = (err: UVError | null, events: number, handle: H) => void;

/**
 * Watches any fd that epoll accepts (sockets, pipes, FIFOs, ttys, character
 * devices); a regular file throws PollError EPERM. The fd is put in
 * non-blocking mode and stays the caller's: close the Poll before the fd.
 * start() refuses (PollError EBADF) an fd that was closed, or reused for
 * another file, since the Poll was made.
 */
export class Poll extends WrappedHandle<NativePoll> {
  static override errorClass = PollError;
  private _callback: PollCallback<this> | null = null;

  constructor(loop: Loop | undefined, fd: number) {
    super(loop, binding.Poll, checkFd(fd));
  }

  /**
   * events: UV_READABLE | UV_WRITABLE | UV_DISCONNECT | UV_PRIORITIZED.
   * cb(null, events) with the events that are ready; cb(err, 0) on a poll
   * error, after which the handle is stopped. Starting again changes the
   * events and the callback.
   */
  start(events: number, cb: PollCallback<this>): void {
    const n = this._use('start');
    const all = UV_READABLE | UV_WRITABLE | UV_DISCONNECT | UV_PRIORITIZED;
    checkFlags(events, 'events', all, 'UV_READABLE, UV_WRITABLE, UV_DISCONNECT and UV_PRIORITIZED');
    checkFunction(cb, 'callback');
    this._callback = cb;
    n._$start(events);
  }

  stop(): void {
    this._use('stop')._$stop();
  }

  static {
    withNative(this, binding.Poll);
    binding.setCallbacks({
      onPoll(this: Poll, err: UVError | null, events: number) {
        this._callback!.call(null, err, events, this);
      },
    });
  }
}
