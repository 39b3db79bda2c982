import { binding, NativeHandle } from './binding';
import { UV_READABLE, UV_WRITABLE } from './constants';
import { HandleClosedError, UVError } from './errors';
import { WrappedHandle, withNative } from './handle';
import type { Loop } from './loop';
import { NativeStream, Stream, StreamError, TransferableHandle } from './stream';
import { Facts } from './inspect';
import {
  checkBoolean, checkData, checkFd, checkFunction, checkInteger, checkOneOf, checkOptionalFunction, checkString, Data,
  invalidArgType, invalidArgValue,
} from './validate';

/** A libuv failure of a Pipe. */
export class PipeError extends StreamError {}

interface NativePipe extends NativeStream {
  _$bind(name: string): void;
  _$connect(name: string): void;
  _$open(fd: number): void;
  _$pendingInstances(n: number): void;
  _$chmod(flags: number): void;
  _$getsockname(): string;
  _$getpeername(): string;
  _$pendingHandleType(): number;
  _$pendingCount(): number;
}

/** A path, or a Linux abstract socket name starting with '\0'. */
function checkPipeName(name: unknown): string {
  checkString(name, 'name');
  if ((name as string).indexOf('\0', 1) !== -1) {
    throw invalidArgValue('name', name, 'must not contain null bytes after the first character');
  }
  return name as string;
}

function unpad(name: string): string {
  return name.charCodeAt(0) === 0 ? name.replace(/\0+$/, '') || '\0' : name;
}

/**
 * A Unix domain socket or pipe. An IPC pipe (`ipc = true`) can carry TCP,
 * Pipe and UDP handles to the peer: write(data, cb, handle) on one side,
 * pendingHandleType() and accept() on the other.
 */
export class Pipe extends Stream<NativePipe> {
  static {
    withNative(this, binding.Pipe);
  }

  static override errorClass = PipeError;
  private readonly _ipc: boolean;

  constructor(loop?: Loop, ipc = false) {
    checkBoolean(ipc, 'ipc');
    super(loop, binding.Pipe, ipc);
    this._ipc = ipc;
  }

  /** Binds to a path; a name starting with '\0' is a Linux abstract socket. */
  bind(name: string): void {
    const n = this._use('bind');
    const nm = checkPipeName(name);
    this._atAddress(nm, undefined, () => n._$bind(nm));
    this._bound = [nm, undefined];
  }

  /** Connects; cb(err, handle), e.g. PipeError ENOENT for a missing name. */
  connect(name: string, cb: (err: UVError | null, handle: this) => void): void {
    const n = this._use('connect');
    const nm = checkPipeName(name);
    checkFunction(cb, 'callback');
    this._atAddress(nm, undefined, () => n._$connect(nm));
    this._connectCallback = cb;
    this._peer = [nm, undefined];
  }

  /** Adopts an existing fd (a socket, a pipe end); the handle closes it. */
  open(fd: number): void {
    const n = this._use('open');
    n._$open(checkFd(fd));
  }

  /** Windows only in libuv; accepted and ignored elsewhere. */
  pendingInstances(count: number): void {
    const n = this._use('pendingInstances');
    n._$pendingInstances(checkInteger(count, 'count', 0, 0x7fffffff));
  }

  /** Makes the bound socket file readable and/or writable by everyone: UV_READABLE | UV_WRITABLE. */
  chmod(mode: number): void {
    const n = this._use('chmod');
    n._$chmod(checkOneOf(mode, 'mode', [UV_READABLE, UV_WRITABLE, UV_READABLE | UV_WRITABLE],
      'UV_READABLE, UV_WRITABLE or both'));
  }

  /**
   * The bound name. libuv < 1.48 binds and connects abstract names padded
   * with NULs to the full sun_path (as Node's own net does with that libuv);
   * the padding is not shown here. libuv >= 1.48 uses the exact length.
   */
  getsockname(): string {
    return unpad(this._use('getsockname')._$getsockname());
  }

  getpeername(): string {
    return unpad(this._use('getpeername')._$getpeername());
  }

  get ipc(): boolean {
    return this._ipc;
  }

  /** @internal */
  override _facts(): Facts {
    const facts = super._facts();
    if (this._ipc) facts.ipc = true;
    if (this._closed) return facts;
    for (const [key, fn] of [['path', '_$getsockname'], ['peer', '_$getpeername']] as const) {
      try {
        const name = unpad(this._native[fn]());
        if (name !== '') facts[key] = name;
      } catch {
        // not bound or not connected
      }
    }
    return facts;
  }

  /** The type of the next handle received over this IPC pipe: UV_TCP, UV_UDP, UV_NAMED_PIPE or UV_UNKNOWN_HANDLE. */
  pendingHandleType(): number {
    return this._use('pendingHandleType')._$pendingHandleType();
  }

  /**
   * Writes data; with `sendHandle` (a TCP, Pipe or UDP handle) on an IPC
   * pipe, the handle's socket travels with it. The sent handle may be closed
   * right after the call.
   */
  override write(data: Data, cb?: ((err: UVError | null, handle: this) => void) | null, sendHandle?: TransferableHandle): void {
    this._checkOpen('write');
    const d = checkData(data);
    checkOptionalFunction(cb, 'callback');
    if (sendHandle === undefined || sendHandle === null) return this._write(d, cb);
    this._write(d, cb, this._sendable(sendHandle, 'write'));
  }

  /**
   * Writes what can be written at once (bytes written; PipeError EAGAIN if
   * nothing can be); with `sendHandle` on an IPC pipe, the handle travels
   * with the first byte, or nothing is written (uv_try_write2).
   */
  override tryWrite(data: Data, sendHandle?: TransferableHandle): number {
    const n = this._use('tryWrite');
    const d = checkData(data);
    if (sendHandle === undefined || sendHandle === null) return n._$tryWrite(d);
    return n._$tryWrite(d, this._sendable(sendHandle, 'tryWrite'));
  }

  /** How many handles received over this IPC pipe wait to be accepted. */
  pendingCount(): number {
    return this._use('pendingCount')._$pendingCount();
  }

  /** SO_SNDBUF of the pipe's socket (Linux reports twice the size set). */
  get sendBufferSize(): number {
    return this._bufferSize(true);
  }

  set sendBufferSize(value: number) {
    this._bufferSize(true, value);
  }

  /** SO_RCVBUF of the pipe's socket (Linux reports twice the size set). */
  get receiveBufferSize(): number {
    return this._bufferSize(false);
  }

  set receiveBufferSize(value: number) {
    this._bufferSize(false, value);
  }

  // The native handle of a handle to send over this pipe (only handles with
  // a native wrap can be sent: a Timer is the wrong type, like any object).
  private _sendable(sendHandle: unknown, method: string): NativeHandle {
    if (!(sendHandle instanceof WrappedHandle)) throw invalidArgType('sendHandle', ['TCP', 'Pipe', 'UDP'], sendHandle);
    if (sendHandle.closed) throw new HandleClosedError(this.constructor.name, method, 'sendHandle');
    return sendHandle._native;
  }
}
