// The shared error classes, and the one place where uvkit's errors are made.
//
// How errors are reported (native/ and lib/ alike):
// - A libuv failure becomes a UVError of the class its owner names: the
//   owner is the handle, loop or request concerned (or, for a call with
//   none, its class), and that class's static `errorClass` is the error
//   class (UVError when none). Native code reports the failure itself:
//   MakeUVError(env, owner, status, syscall[, path, dest]) (a handle's
//   Error()/Throw()) calls makeError() below; a synchronous call throws that
//   error, an asynchronous one passes it as its callback's first argument
//   (null on success). Native never returns a libuv status for lib/ to turn
//   into an error; lib/ makes a UVError itself only for a failure it finds
//   without calling libuv (`handle._error()`: ENOTSUP of a missing feature,
//   EINVAL of Timer.again() with no callback…). A socket error gets its
//   address from lib/ (withAddress) on its way out.
// - A closing or closed handle: lib/ checks first (`handle._use(method)`)
//   and throws HandleClosedError naming the class and method; native's own
//   check is a guard behind it and throws MakeClosedError(env, owner).
// - A closed loop: loopClosedError() (ERR_LOOP_CLOSED), thrown by lib/'s
//   loopArg() and, through the factory, by native's guard.
// - Any other misuse that is Node's kind of error (ERR_INVALID_ARG_TYPE,
//   ERR_LOOP_RUNNING, ERR_DIR_CLOSED…) is made by codedError(): in lib/
//   directly (lib/validate.ts for bad arguments), from native through
//   MakeCodedError(env, code, message) (CodedError(...) in uvkit.h).
// - An error class lives in its handle's own file (PollError in
//   lib/poll.ts) and is named by the handle class's `errorClass`: this file
//   keeps only the shared bases.
//
// Every libuv failure becomes a UVError (or a subclass naming the handle
// type) with libuv's errno, its name as `code`, the syscall and, for fs, the
// path and destination; for sockets, the address and port. Bad arguments are
// Node's own kind of error: a TypeError or RangeError with Node's `code`.
//
// Stacks start at the caller: the frames inside uvkit (this directory) at
// the top of the stack are left out. The stack is captured as usual and
// only formatted when it is read, so an error on a hot path (EAGAIN of a
// tryWrite) costs what a plain Error does.
import * as path from 'path';
import { binding } from './binding';
import type { Handle } from './handle';

/** Frames in files of this directory (lib/ or dist/) are uvkit's. */
const ownDir = `${__dirname}${path.sep}`;
/** Room for uvkit's own frames on top of the caller's Error.stackTraceLimit. */
const OWN_FRAMES = 16;

function internalFrame(line: string): boolean {
  return line.includes(ownDir) || line.endsWith('(<anonymous>)') || line.includes('(node:internal/');
}

/**
 * Gives `err` (made while Error.stackTraceLimit was 0) a stack that starts
 * at the first frame outside uvkit, formatted on first read. `coded` errors
 * are headed as Node heads its own: 'TypeError [ERR_INVALID_ARG_TYPE]: …'.
 */
function callerStack(err: Error, limit: number, coded: boolean): void {
  const trace: { stack?: string } = {};
  Error.stackTraceLimit = limit + OWN_FRAMES;
  Error.captureStackTrace(trace);
  Error.stackTraceLimit = limit;
  Object.defineProperty(err, 'stack', {
    configurable: true,
    enumerable: false,
    get(this: Error): string {
      const lines = String(trace.stack).split('\n');
      let i = 1; // lines[0] is the trace object's own header
      while (i < lines.length && internalFrame(lines[i])) i++;
      const code = (this as { code?: unknown }).code;
      const name = coded && typeof code === 'string' ? `${this.name} [${code}]` : this.name;
      const header = this.message === '' ? name : `${name}: ${this.message}`;
      const stack = [header, ...lines.slice(i, i + limit)].join('\n');
      Object.defineProperty(this, 'stack', { value: stack, writable: true, configurable: true, enumerable: false });
      return stack;
    },
    set(this: Error, value: unknown) {
      Object.defineProperty(this, 'stack', { value, writable: true, configurable: true, enumerable: false });
    },
  });
}

/** The stack trace limit to restore, when a stack is wanted at all (else -1). */
function suspendStack(): number {
  const limit = Error.stackTraceLimit;
  if (typeof limit !== 'number' || !(limit > 0)) return -1;
  Error.stackTraceLimit = 0;
  return limit;
}

/** An argument error as Node's validators make them: TypeError/RangeError with `code`. */
export function codedError<C extends ErrorConstructor>(Ctor: C, code: string, message: string): InstanceType<C> {
  const limit = suspendStack();
  const err = new Ctor(message) as InstanceType<C> & { code: string };
  if (limit > 0) callerStack(err, limit, true);
  err.code = code;
  return err;
}

export class UVError extends Error {
  declare readonly errno: number;
  declare readonly code: string;
  declare readonly syscall?: string;
  declare readonly path?: string;
  declare readonly dest?: string;
  /** The socket address (an ip, or a pipe's name) a socket error concerns. */
  declare readonly address?: string;
  declare readonly port?: number;
  /** The handle of a failed write or send that had no callback (not enumerable). */
  declare readonly handle?: Handle;

  constructor(errno: number, syscall?: string, path?: string, dest?: string) {
    const code = binding.errName(errno);
    let message = `${code}: ${binding.strerror(errno)}`;
    if (syscall !== undefined) message += `, ${syscall}`;
    if (path !== undefined) message += ` '${path}'`;
    if (dest !== undefined) message += ` -> '${dest}'`;
    const limit = suspendStack();
    super(message);
    if (limit > 0) callerStack(this, limit, false);
    // Own properties only for what has a value: a logged error shows no
    // `path: undefined`.
    const self = this as { -readonly [K in keyof UVError]: UVError[K] };
    self.errno = errno;
    self.code = code;
    if (syscall !== undefined) self.syscall = syscall;
    if (path !== undefined) self.path = path;
    if (dest !== undefined) self.dest = dest;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/**
 * Makes `err` (a socket error just made) name the address it concerns, as
 * Node's do: `address` and `port` (none for a pipe, whose name is the
 * address) and the message `"ECONNREFUSED: connection refused, connect
 * 127.0.0.1:1"`. A Linux abstract socket name shows its leading NUL as '@'.
 */
export function withAddress<E extends UVError>(err: E, address: string | null | undefined, port?: number): E {
  if (!(err instanceof UVError) || typeof address !== 'string') return err;
  const self = err as { address?: string; port?: number; message: string };
  self.address = address;
  const shown = address.charCodeAt(0) === 0 ? `@${address.slice(1).replace(/\0+$/, '')}` : address;
  if (port === undefined) {
    self.message += ` ${shown}`;
  } else {
    self.port = port;
    self.message += ` ${shown}:${port}`;
  }
  return err;
}

export class HandleError extends UVError {}

/** Thrown by any method of a handle that is closing or closed: `"TCP.write(): handle is closed"`. */
export class HandleClosedError extends HandleError {
  /** `what`: the handle concerned, when it is an argument ('client'). */
  constructor(className?: string, method?: string, what = 'handle') {
    super(binding.errno.UV_EBADF);
    this.message = className !== undefined && method !== undefined
      ? `${className}.${method}(): ${what} is closed`
      : `${what} is closed`;
  }
}

/** What any use of a closed loop throws. */
export function loopClosedError(): Error {
  return codedError(Error, 'ERR_LOOP_CLOSED', 'loop is closed');
}

export type ErrorClass = new (errno: number, syscall?: string, path?: string, dest?: string) => UVError;

/**
 * The error class of `owner`: a handle, loop or request object, or a class;
 * its class names it in a static `errorClass`. UVError for anything else.
 */
export function errorClassOf(owner: unknown): ErrorClass {
  const cls = typeof owner === 'function' ? owner : (owner as { constructor?: unknown } | null | undefined)?.constructor;
  return (cls as { errorClass?: ErrorClass } | undefined)?.errorClass ?? UVError;
}

// The makers native code calls (native/errors.cc), with the owner as `this`.
binding.setCallbacks({
  makeError(this: unknown, errno: number, syscall: string, path?: string, dest?: string): UVError {
    return new (errorClassOf(this))(errno, syscall, path, dest);
  },
  makeCodedError(code: string, message: string): Error {
    return codedError(Error, code, message);
  },
  makeClosedError(this: unknown): HandleClosedError {
    const cls = (this as { constructor?: { name?: string } } | null | undefined)?.constructor;
    return new HandleClosedError(cls?.name);
  },
});
