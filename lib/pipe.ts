import { binding } from './binding';
import { UV_READABLE, UV_WRITABLE } from './constants';
import { HandleClosedError, PipeError, UVError } from './errors';
import { Handle } from './handle';
import type { Loop } from './loop';
import { NativeStream, Stream, TransferableHandle } from './stream';
import { checkBoolean, checkData, checkFunction, checkInteger, checkOneOf, checkOptionalFunction, Data } from './validate';

interface NativePipe extends NativeStream {
  bind(name: string): void;
  connect(name: string): void;
  open(fd: number): void;
  pendingInstances(n: number): void;
  chmod(flags: number): void;
  getsockname(): string;
  getpeername(): string;
  pendingHandleType(): number;
}

/** A path, or a Linux abstract socket name starting with '\0'. */
function checkPipeName(name: unknown): string {
  if (typeof name !== 'string') throw new TypeError(`name must be a string, got ${typeof name}`);
  if (name.indexOf('\0', 1) !== -1) throw new TypeError('name must not contain NUL bytes after the first character');
  return name;
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
  static override errorClass = PipeError;
  private readonly _ipc: boolean;

  constructor(loop?: Loop, ipc = false) {
    checkBoolean(ipc, 'ipc');
    super(loop, binding.Pipe, ipc);
    this._ipc = ipc;
  }

  /** Binds to a path; a name starting with '\0' is a Linux abstract socket. */
  bind(name: string): void {
    const n = this._n;
    n.bind(checkPipeName(name));
  }

  /** Connects; cb(err, handle), e.g. PipeError ENOENT for a missing name. */
  connect(name: string, cb: (err: UVError | null, handle: this) => void): void {
    const n = this._n;
    const nm = checkPipeName(name);
    checkFunction(cb, 'callback');
    n.connect(nm);
    this._connectCallback = cb;
  }

  /** Adopts an existing fd (a socket, a pipe end); the handle closes it. */
  open(fd: number): void {
    const n = this._n;
    n.open(checkInteger(fd, 'fd', 0, 0x7fffffff));
  }

  /** Windows only in libuv; accepted and ignored elsewhere. */
  pendingInstances(count: number): void {
    const n = this._n;
    n.pendingInstances(checkInteger(count, 'count', 0, 0x7fffffff));
  }

  /** Makes the bound socket file readable and/or writable by everyone: UV_READABLE | UV_WRITABLE. */
  chmod(mode: number): void {
    const n = this._n;
    n.chmod(checkOneOf(mode, 'mode', [UV_READABLE, UV_WRITABLE, UV_READABLE | UV_WRITABLE]));
  }

  /**
   * The bound name. libuv < 1.48 binds and connects abstract names padded
   * with NULs to the full sun_path (as Node's own net does with that libuv);
   * the padding is not shown here. libuv >= 1.48 uses the exact length.
   */
  getsockname(): string {
    return unpad(this._n.getsockname());
  }

  getpeername(): string {
    return unpad(this._n.getpeername());
  }

  get ipc(): boolean {
    return this._ipc;
  }

  /** The type of the next handle received over this IPC pipe: UV_TCP, UV_UDP, UV_NAMED_PIPE or UV_UNKNOWN_HANDLE. */
  pendingHandleType(): number {
    return this._n.pendingHandleType();
  }

  /**
   * Writes data; with `sendHandle` (a TCP, Pipe or UDP handle) on an IPC
   * pipe, the handle's socket travels with it. The sent handle may be closed
   * right after the call.
   */
  override write(data: Data, cb?: ((err: UVError | null, handle: this) => void) | null, sendHandle?: TransferableHandle): void {
    const n = this._n;
    const d = checkData(data);
    checkOptionalFunction(cb, 'callback');
    if (sendHandle === undefined || sendHandle === null) return this._write(n, d, cb);
    if (!(sendHandle instanceof Handle)) throw new TypeError('sendHandle must be a TCP, Pipe or UDP handle');
    if (sendHandle.closed) throw new HandleClosedError();
    this._write(n, d, cb, (sendHandle as Handle)._native);
  }
}
