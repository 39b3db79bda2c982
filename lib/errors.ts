// The error classes. Every libuv failure becomes a UVError (or a subclass
// naming the handle type) with libuv's errno, its name as `code`, the
// syscall and, for fs, the path and destination.
import { binding } from './binding';

export class UVError extends Error {
  readonly errno: number;
  readonly code: string;
  readonly syscall?: string;
  readonly path?: string;
  readonly dest?: string;

  constructor(errno: number, syscall?: string, path?: string, dest?: string) {
    const code = binding.errName(errno);
    let message = `${code}: ${binding.strerror(errno)}`;
    if (syscall !== undefined) message += `, ${syscall}`;
    if (path !== undefined) message += ` '${path}'`;
    if (dest !== undefined) message += ` -> '${dest}'`;
    super(message);
    this.errno = errno;
    this.code = code;
    if (syscall !== undefined) this.syscall = syscall;
    if (path !== undefined) this.path = path;
    if (dest !== undefined) this.dest = dest;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

export class HandleError extends UVError {}
export class FSError extends UVError {}

/** Thrown by any method of a handle that is closing or closed. */
export class HandleClosedError extends HandleError {
  constructor() {
    super(binding.errno.UV_EBADF);
    this.message = 'handle is closed';
  }
}

export class AsyncError extends HandleError {}
export class TimerError extends HandleError {}
export class PrepareError extends HandleError {}
export class IdleError extends HandleError {}
export class CheckError extends HandleError {}
export class SignalError extends HandleError {}
export class UDPError extends HandleError {}
export class PollError extends HandleError {}
export class FSEventError extends HandleError {}
export class FSPollError extends HandleError {}
export class ProcessError extends HandleError {}
export class StreamError extends HandleError {}
export class TCPError extends StreamError {}
export class PipeError extends StreamError {}
export class TTYError extends StreamError {}

export type ErrorClass = new (errno: number, syscall?: string, path?: string, dest?: string) => UVError;

/**
 * The native layer builds every error through this function, with the
 * handle (or loop) concerned as `this`: a handle class names its error class
 * in its static `errorClass`.
 */
export function makeError(this: unknown, errno: number, syscall: string): UVError {
  const owner = this as { constructor?: { errorClass?: ErrorClass } } | undefined;
  const cls = owner?.constructor?.errorClass ?? UVError;
  return new cls(errno, syscall);
}

binding.setCallbacks({ makeError });
