import { binding, NativeHandle } from './binding';
import { FIFO } from './datapath';
import { HandleClosedError, HandleError, UVError, withAddress } from './errors';
import { Handle, WrappedHandle } from './handle';
import { PoolView } from './readpool';
import { checkBoolean, checkData, checkFunction, checkInteger, checkOptionalFunction, Data, invalidArgType, invalidArgValue } from './validate';

/** A libuv failure of a Stream. */
export class StreamError extends HandleError {}

export type { Data } from './validate';

/** The native side of a stream (not part of the public API). */
export interface NativeStream extends NativeHandle {
  listen(backlog: number): void;
  accept(client: NativeHandle): void;
  readStart(): void;
  readStop(): void;
  tryWrite(data: Uint8Array | Uint8Array[], sendHandle?: object): number;
  shutdown(): void;
  setBlocking(blocking: boolean): void;
  isReadable(): boolean;
  isWritable(): boolean;
  writeQueueSize(): number;
}

/** A handle that accept() can fill and an IPC pipe can send: a TCP, Pipe or UDP (checked at the call). */
export interface TransferableHandle {
  readonly closed: boolean;
  fileno(): number;
}

type ErrCallback<H> = (err: UVError | null, handle: H) => void;

/**
 * The base of TCP, Pipe and TTY. Every read arrives as a Buffer of its own
 * (small ones are views of a shared pool, never reused); writes take
 * the caller's buffers without copying them (do not modify a buffer until
 * its write callback has run), are tried on the socket at once, and only
 * what the socket did not take is queued.
 */
export abstract class Stream<N extends NativeStream = NativeStream> extends WrappedHandle<N> {
  static override errorClass = StreamError;
  private _readCallback: ((err: UVError | null, data: Buffer | null, handle: this) => void) | null = null;
  private _listenCallback: ErrCallback<this> | null = null;
  private _shutdownCallback: ErrCallback<this> | null = null;
  /** @internal */
  _connectCallback: ErrCallback<this> | null = null;
  /** @internal the address given to bind() (a pipe: its name), named by listen errors */
  _bound: [string, number | undefined] | null = null;
  /** @internal the address given to connect(), named by its error */
  _peer: [string, number | undefined] | null = null;
  // Callbacks of pending writes that have one (native calls back only for those).
  private _writeCallbacks = new FIFO<ErrCallback<this>>();
  // While this stream's read callback runs, a write without a callback is
  // held here and returned to native with the callback's end, which sends it
  // (native/stream.cc WriteHeld): an echo then enters native once, not
  // twice. Any other use of the stream sends it first. TLS streams do not
  // hold (their reads come from native/tls_pump.cc).
  private _reading = false;
  private _held: Uint8Array | Uint8Array[] | null = null;
  /** @internal whether writes made in a read callback are held (above) */
  _holdsWrites = true;

  /** Accepts connections; cb(err, server) runs once per incoming connection. */
  listen(cb: (err: UVError | null, server: this) => void, backlog = 511): void {
    const n = this._use('listen');
    checkFunction(cb, 'callback');
    checkInteger(backlog, 'backlog', 0, 0x7fffffff);
    const bound = this._bound;
    if (bound === null) n.listen(backlog);
    else this._atAddress(bound[0], bound[1], () => n.listen(backlog));
    this._listenCallback = cb;
  }

  /**
   * Accepts a pending connection into `client`, an empty handle of the
   * right type (on an IPC pipe: of the type pendingHandleType() names).
   */
  accept(client: TransferableHandle): void {
    const n = this._use('accept');
    if (!(client instanceof Handle)) throw invalidArgType('client', ['TCP', 'Pipe', 'UDP'], client);
    if (client.closed) throw new HandleClosedError(this.constructor.name, 'accept', 'client');
    if ((client as Handle)._home !== this._home) throw invalidArgValue('client', client, "must belong to the server's loop");
    try {
      n.accept((client as WrappedHandle)._native);
    } catch (err) {
      // native knows the type wanted ("must be an empty TCP handle to accept this connection")
      if (err instanceof TypeError && !('code' in err)) {
        throw invalidArgValue('client', client, err.message.replace(/^client /, ''));
      }
      throw err;
    }
  }

  /** cb(err, data, handle) per read; EOF is (null, null); an error ends reading. */
  startRead(cb: (err: UVError | null, data: Buffer | null, handle: this) => void): void {
    const n = this._use('startRead');
    checkFunction(cb, 'callback');
    n.readStart();
    this._readCallback = cb;
  }

  stopRead(): void {
    this._use('stopRead').readStop();
  }

  /** @internal Sends a held write first (see _held). */
  override _use(method: string): N {
    if (this._held !== null) this._sendHeld();
    return super._use(method);
  }

  /** @internal */
  _sendHeld(): void {
    const d = this._held!;
    this._held = null;
    binding.write(this._id, d, false);
  }

  /** @internal Calls the read callback; returns the write it held, if any. */
  _deliver(err: UVError | null, data: Buffer | null): Uint8Array | Uint8Array[] | null {
    this._reading = this._holdsWrites;
    try {
      this._readCallback!.call(null, err, data, this);
    } catch (e) {
      this._reading = false;
      if (this._held !== null && !this._closed) this._sendHeld();
      throw e;
    }
    this._reading = false;
    const held = this._held;
    this._held = null;
    return held;
  }

  /**
   * Writes data (an array is one vectored write); cb(err, handle) once it is
   * written. Without a callback, a failure known during the call is thrown,
   * and a later one (EPIPE…) goes where a callback's exception goes:
   * loop.excepthook, or run() throws it; `err.handle` is this handle.
   */
  write(data: Data, cb?: ErrCallback<this>): void {
    this._checkOpen('write');
    const d = checkData(data);
    checkOptionalFunction(cb, 'callback');
    this._write(d, cb);
  }

  /** @internal */
  _write(d: Uint8Array | Uint8Array[], cb: ErrCallback<this> | undefined | null, sendHandle?: NativeHandle) {
    const noCallback = cb === undefined || cb === null;
    if (this._held !== null) {
      this._sendHeld();
    } else if (this._reading && noCallback && sendHandle === undefined) {
      this._held = d;
      return;
    }
    if (noCallback) {
      binding.write(this._id, d, false, sendHandle);
    } else {
      binding.write(this._id, d, true, sendHandle);
      this._writeCallbacks.push(cb);
    }
  }

  /** Writes what the socket takes now; returns the bytes written, EAGAIN if none. */
  tryWrite(data: Data): number {
    const n = this._use('tryWrite');
    return n.tryWrite(checkData(data));
  }

  /** Ends the writing side once pending writes are done. */
  shutdown(cb?: ErrCallback<this>): void {
    const n = this._use('shutdown');
    checkOptionalFunction(cb, 'callback');
    n.shutdown();
    this._shutdownCallback = cb ?? null;
  }

  setBlocking(blocking: boolean): void {
    const n = this._use('setBlocking');
    checkBoolean(blocking, 'blocking');
    n.setBlocking(blocking);
  }

  get readable(): boolean {
    return this._native.isReadable();
  }

  get writable(): boolean {
    return this._native.isWritable();
  }

  /** Bytes queued for writing. */
  get writeQueueSize(): number {
    if (this._held !== null && !this._closed) this._sendHeld();
    return this._native.writeQueueSize();
  }

  /** @internal A held write is sent before the stream closes. */
  override _closeNative(): void {
    if (this._held !== null) {
      try {
        this._sendHeld();
      } catch (err) {
        super._closeNative();
        throw this._unclaimed(err as UVError);
      }
    }
    super._closeNative();
  }

  static {
    binding.setCallbacks({
      // A read in a Buffer of its own; (null, null) at the end of the stream;
      // (err, null) for an error, which ends reading.
      // Each returns the write the callback held (see _held).
      onRead(this: Stream, err: UVError | null, data: Buffer | null) {
        return this._deliver(err, data);
      },
      // A read copied into a read pool.
      onReadPooled(this: Stream, pool: ArrayBuffer, offset: number, length: number) {
        return this._deliver(null, new PoolView(pool, offset, length));
      },
      // A bulk read (no copy) that did not fill its Buffer.
      onReadSlice(this: Stream, data: Buffer, length: number) {
        return this._deliver(null, data.subarray(0, length));
      },
      onWrite(this: Stream, err: UVError | null) {
        this._writeCallbacks.shift().call(null, err, this);
      },
      onConnection(this: Stream, err: UVError | null) {
        if (err !== null && this._bound !== null) withAddress(err, this._bound[0], this._bound[1]);
        this._listenCallback!.call(null, err, this);
      },
      onConnect(this: Stream, err: UVError | null) {
        const cb = this._connectCallback!;
        this._connectCallback = null;
        if (err !== null && this._peer !== null) withAddress(err, this._peer[0], this._peer[1]);
        cb.call(null, err, this);
      },
      onShutdown(this: Stream, err: UVError | null) {
        const cb = this._shutdownCallback;
        this._shutdownCallback = null;
        if (cb !== null) cb.call(null, err, this);
      },
    });
  }
}
