import { binding, NativeHandle } from './binding';
import { FIFO } from './datapath';
import { types } from 'util';
import { codedError, errorClassOf, HandleClosedError, HandleError, UVError, withAddress } from './errors';
import { Handle, WrappedHandle } from './handle';
import { PoolView } from './readpool';

import {
  checkBoolean, checkData, checkFunction, checkInteger, checkObject, checkOptionalFunction, Data, invalidArgType, invalidArgValue,
  received,
} from './validate';

// Read batches (native/poll_batch.cc): the pooled reads of one poll phase
// reach JavaScript in one call, onReadBatch(pool, entries, first, count,
// out, held), as [stream id, offset, length] each. A write held in a read
// callback is listed in `held` ([writes, entries done, then stream id,
// offset, length each]), with its offset in the pool (+ IN_POOL) when it
// is a view of it, else copied into `out`; native sends them when the call
// returns, or earlier when lib hands them over (readBatchHandOver(n),
// before any other use of a stream with one there: _sendHeld()).

/** The reading streams by handle id: whom a batch entry names. */
const streamsById: (Stream | undefined)[] = [];
/** An entry's offset that means: deliver the stream's stalled reads (readRedeliver()). */
const REDELIVER = 0xffffffff;
/** The _held of a stream whose held write is in the batch's table. */
const TABLED: Uint8Array[] = [];

interface NativeBatchLoop {
  readBatchHandOver(n: number): void;
}

/** A loop's read batch: the shared arrays and what the call in progress has put there. */
class ReadBatch {
  writes = 0; // in the table
  used = 0; // bytes of out
  /** The streams of the table's writes (the first `writes`; setting an array's length costs a runtime call). */
  readonly tabled: (Stream | null)[] = [];
  running = false;
  /** Streams that left reading during the batch: out of streamsById at its end (their entries may follow). */
  readonly leaving: Stream[] = [];
  constructor(readonly out: Uint8Array, readonly held: Uint32Array, readonly native: NativeBatchLoop) {}

  /** Native sends the table's writes now. */
  handOver(): void {
    if (this.writes > 0) this.native.readBatchHandOver(this.writes);
    this.clear();
  }

  clear(): void {
    const tabled = this.tabled;
    for (let i = 0; i < this.writes; i++) {
      tabled[i]!._held = null;
      tabled[i] = null;
    }
    this.writes = 0;
    this.used = 0;
  }

  /**
   * Puts `s`'s held write into the table (false: no room, or not one
   * Uint8Array): where it is in the batch's pool (an echo of a read), else
   * a copy in out. `read` is the read just delivered, at `readOffset`.
   */
  table(s: Stream, h: Uint8Array | Uint8Array[], pool: ArrayBuffer, read: Buffer | null, readOffset: number): boolean {
    if (!(h instanceof Uint8Array) || this.writes === MAX_TABLED) return false;
    let at: number;
    if (h === read) {
      at = readOffset + IN_POOL; // not h.buffer: a call into the runtime
    } else if (h.buffer === pool) {
      at = h.byteOffset + IN_POOL;
    } else {
      if (this.used + h.length > this.out.length) {
        this.handOver();
        if (h.length > this.out.length) return false;
      }
      this.out.set(h, this.used);
      at = this.used;
      this.used += h.length;
    }
    const t = 2 + this.writes * 3;
    this.held[t] = s._id;
    this.held[t + 1] = at;
    this.held[t + 2] = h.length;
    this.tabled[this.writes++] = s;
    s._held = TABLED;
    return true;
  }
}
const MAX_TABLED = 256; // native: kMaxReads
const IN_POOL = 0x80000000; // native: kInPool

interface BatchLoop {
  _readBatch?: ReadBatch;
  _native: unknown;
}

function batchOf(loop: unknown): ReadBatch | undefined {
  return (loop as BatchLoop)._readBatch;
}

/** A read in the pool; null if a callback has transferred the pool (Node 22's transfer() ignores the untransferable mark). */
function poolView(pool: ArrayBuffer, offset: number, length: number): Buffer | null {
  try {
    return new PoolView(pool, offset, length);
  } catch {
    return null;
  }
}

/** The bytes of the read are gone with the pool: an error, which ends reading. */
function lostRead(s: Stream): UVError {
  s._native._$readStop();
  return new (errorClassOf(s))(binding.errno.UV_ENOBUFS, 'read');
}

/** A libuv failure of a Stream. */
export class StreamError extends HandleError {}

export type { Data } from './validate';

/** The native side of a stream (not part of the public API). */
export interface NativeStream extends NativeHandle {
  _$listen(backlog: number): void;
  _$accept(client: NativeHandle): void;
  _$readStart(): void;
  _$readRedeliver(): void;
  _$readStop(): void;
  _$readStartInto(buffer: Uint8Array, restart: boolean): void;
  _$tryWrite(data: Uint8Array | Uint8Array[], sendHandle?: object): number;
  _$shutdown(): void;
  _$setBlocking(blocking: boolean): void;
  _$isReadable(): boolean;
  _$isWritable(): boolean;
  _$writeQueueSize(): number;
}

/** A handle that accept() can fill and an IPC pipe can send: a TCP, Pipe or UDP (checked at the call). */
export interface TransferableHandle {
  readonly closed: boolean;
  fileno(): number;
}

type ErrCallback<H> = (err: UVError | null, handle: H) => void;

/** The options of startRead's second form: reads land in a caller's buffer. */
export interface ReadIntoOptions {
  /**
   * The buffer every read lands in (at offset 0): any Uint8Array, a Buffer
   * too. Or a function returning one, called once by startRead() and then
   * after each read's callback has returned (for the next read), so that
   * the reads may go to buffers in turn.
   */
  buffer: Uint8Array | (() => Uint8Array);
}

/**
 * The callback of startRead's second form: `nread` bytes (> 0) at the start
 * of `buffer`, valid until the callback returns (the next read overwrites
 * them); (null, 0, buffer) at the end of the stream; (err, 0, buffer) for
 * an error, which ends reading.
 */
export type ReadIntoCallback<H> = (err: UVError | null, nread: number, buffer: Uint8Array, handle: H) => void;

// What a stream reading into a caller's buffer reads with: the buffer of
// the next (or current) read, and the function that gives the next one.
interface ReadInto<H> {
  cb: ReadIntoCallback<H>;
  buffer: Uint8Array;
  next: (() => Uint8Array) | null;
}

function checkReadBuffer(value: unknown): Uint8Array {
  if (!types.isUint8Array(value)) throw invalidArgType('options.buffer', ['function', 'Uint8Array'], value);
  if (value.byteLength === 0) throw invalidArgValue('options.buffer', value, 'must not be empty', RangeError);
  return value;
}

// The function form's result, checked as Node checks what a user function returns.
function returnedReadBuffer(value: unknown): Uint8Array {
  if (!types.isUint8Array(value) || value.byteLength === 0) {
    throw codedError(TypeError, 'ERR_INVALID_RETURN_VALUE',
      `Expected a non-empty Uint8Array to be returned from the "options.buffer" function but got ${received(value)}.`);
  }
  return value;
}

/**
 * The base of TCP, Pipe and TTY. Every read arrives as a Buffer of its own
 * (small ones are views of a shared pool, never reused), or with
 * startRead's `options.buffer` in one caller's buffer; writes take
 * the caller's buffers without copying them (do not modify a buffer until
 * its write callback has run), are tried on the socket at once, and only
 * what the socket did not take is queued.
 */
export abstract class Stream<N extends NativeStream = NativeStream> extends WrappedHandle<N> {
  static override errorClass = StreamError;
  // Every field below starts as the prototype's (null, false; see the
  // static block) and becomes the stream's own when set: an idle accepted
  // connection carries none of them (RSS per idle connection).
  /** @internal */
  declare _readCallback: ((err: UVError | null, data: Buffer | null, handle: this) => void) | null;
  /** @internal reading into a caller's buffer (startRead's second form), else null */
  declare _into: ReadInto<this> | null;

  /** @internal */
  declare _listenCallback: ErrCallback<this> | null;
  /** @internal */
  declare _shutdownCallback: ErrCallback<this> | null;
  /** @internal */
  declare _connectCallback: ErrCallback<this> | null;
  /** @internal the address given to bind() (a pipe: its name), named by listen errors */
  declare _bound: [string, number | undefined] | null;
  /** @internal the address given to connect(), named by its error */
  declare _peer: [string, number | undefined] | null;
  /** @internal callbacks of pending writes that have one (native calls back only for those); made on first use */
  declare _writeCallbacks: FIFO<ErrCallback<this>> | null;
  // While this stream's read callback runs, a write without a callback is
  // held here and returned to native with the callback's end, which sends it
  // (native/stream.cc WriteHeld): an echo then enters native once, not
  // twice. Any other use of the stream sends it first. TLS streams do not
  // hold (their reads come from native/tls_pump.cc).
  /** @internal */
  declare _reading: boolean;
  /** @internal */
  declare _held: Uint8Array | Uint8Array[] | null;
  /** @internal whether writes made in a read callback are held (above); false on TLS */
  declare _holdsWrites: boolean;

  /** Accepts connections; cb(err, server) runs once per incoming connection. */
  listen(cb: (err: UVError | null, server: this) => void, backlog = 511): void {
    const n = this._use('listen');
    checkFunction(cb, 'callback');
    checkInteger(backlog, 'backlog', 0, 0x7fffffff);
    const bound = this._bound;
    if (bound === null) n._$listen(backlog);
    else this._atAddress(bound[0], bound[1], () => n._$listen(backlog));
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
      n._$accept((client as WrappedHandle)._native);
    } catch (err) {
      // native knows the type wanted ("must be an empty TCP handle to accept this connection")
      if (err instanceof TypeError && !('code' in err)) {
        throw invalidArgValue('client', client, err.message.replace(/^client /, ''));
      }
      throw err;
    }
  }

  /**
   * Reads until stopRead(), the end of the stream or an error: cb(err,
   * data, handle) per read, each read a Buffer of its own; EOF is (null,
   * null); (err, null) for an error, which ends reading. Calling startRead()
   * again while reading replaces the callback (or switches from the other
   * form, from the next read on).
   */
  startRead(cb: (err: UVError | null, data: Buffer | null, handle: this) => void): void;
  /**
   * Reads into a caller's buffer (Node's `onread`): every read lands at
   * offset 0 of `options.buffer`, and nothing is allocated per read.
   * cb(null, nread, buffer, handle) with nread > 0: the bytes are
   * `buffer.subarray(0, nread)`, valid only until the callback returns (the
   * next read overwrites them: copy what must be kept). (null, 0, buffer)
   * is EOF; (err, 0, buffer) an error, which ends reading.
   *
   * `options.buffer` may be a function returning the buffer: called here
   * and then after each read's callback has returned, for the next read. If
   * it throws or returns anything but a non-empty Uint8Array (TypeError
   * ERR_INVALID_RETURN_VALUE), reading stops and the error goes where a
   * callback's exception goes (loop.excepthook, or run() throws it); from
   * this call it is thrown.
   *
   * The stream holds the buffer while it reads into it and drops it on
   * stopRead(), close() or a switch to the other form. Its memory is looked
   * up for every read: if its ArrayBuffer has been detached (transferred)
   * or shrunk to nothing since, cb gets a StreamError ENOBUFS (syscall
   * 'read') and reading stops; a shrunk one takes reads of its new length.
   * Calling startRead() again while reading switches form or buffer from
   * the next read on. TLS streams offer only the first form (TypeError
   * ERR_INVALID_ARG_VALUE).
   */
  startRead(cb: ReadIntoCallback<this>, options: ReadIntoOptions): void;
  startRead(cb: ((err: UVError | null, data: Buffer | null, handle: this) => void) | ReadIntoCallback<this>,
            options?: ReadIntoOptions): void {
    const n = this._use('startRead');
    checkFunction(cb, 'callback');
    if (options !== undefined) return this._startReadInto(n, cb as ReadIntoCallback<this>, options);
    n._$readStart();
    streamsById[this._id] = this as unknown as Stream;
    if (this._stalled !== null) n._$readRedeliver();
    this._readCallback = cb as (err: UVError | null, data: Buffer | null, handle: this) => void;
    this._noInto();
  }

  stopRead(): void {
    this._use('stopRead')._$readStop();
    this._noInto();
    this._readCallback = null;
    this._leaveReading();
  }

  /** @internal No caller's buffer: `_into` stays the prototype's null unless it was set (8 bytes less per stream). */
  _noInto(): void {
    if (this._into !== null) this._into = null;
  }

  /** @internal Leaves streamsById: at once, or at the end of the read batch being delivered. */
  _leaveReading(): void {
    const batch = batchOf(this._home);
    if (batch !== undefined && batch.running) batch.leaving.push(this as unknown as Stream);
    else if (streamsById[this._id] === (this as unknown as Stream)) streamsById[this._id] = undefined;
  }

  // Reads libuv made before a callback earlier in the same read batch
  // stopped this stream (or switched its form) wait in _stalled until it
  // reads again; reads behind them wait with them. startRead() then queues
  // a REDELIVER entry (readRedeliver()), whose turn delivers them in order.
  /** @internal */
  declare _stalled: [UVError | null, Buffer | null][] | null;

  /** @internal A read for the callback, or late (below); returns the write the callback held. */
  _read(err: UVError | null, data: Buffer | null): Uint8Array | Uint8Array[] | null {
    if (this._stalled === null && this._readCallback !== null) return this._deliver(err, data);
    this._lateRead(err, data);
    return null;
  }

  /** @internal A read that cannot go to the callback now: stalled, or copied into the caller's buffer. */
  _lateRead(err: UVError | null, data: Buffer | null): void {
    if (this._stalled === null && this._into !== null) return this._copyInto(err, data);
    (this._stalled ??= []).push([err, data]);
  }

  /** @internal Whether the stream reads, in either form. */
  get _readsNow(): boolean {
    return !this._closed && (this._readCallback !== null || this._into !== null);
  }

  /** @internal Delivers the stalled reads, while the stream reads. */
  _drainStalled(): void {
    const stalled = this._stalled;
    if (stalled === null) return;
    try {
      while (stalled.length > 0 && this._stalled === stalled && this._readsNow) {
        const [err, data] = stalled.shift()!;
        if (this._into !== null) {
          this._copyInto(err, data);
        } else {
          this._sendHeldNow(this._deliver(err, data));
        }
      }
    } finally {
      if (this._stalled === stalled && stalled.length === 0) {
        this._stalled = null;
        // _startReadInto left native stopped until now, so that no read
        // lands in the buffer that these were copied into.
        if (this._into !== null && !this._closed) this._native._$readStartInto(this._into.buffer, true);
      } else if (this._stalled === stalled && this._readsNow) {
        this._native._$readRedeliver(); // a callback threw: the rest on the next turn
      }
    }
  }

  /**
   * @internal A read made before a switch to the caller's buffer, copied
   * into it (in pieces if it is smaller). What a callback leaves undelivered
   * by stopping, switching form or throwing goes on as a read of its own.
   */
  _copyInto(err: UVError | null, data: Buffer | null): void {
    if (data === null) {
      this._sendHeldNow(this._deliverInto(err, 0));
      return;
    }
    let at = 0;
    try {
      while (at < data.length && this._into !== null && !this._closed) {
        const into = this._into;
        const n = Math.min(data.length - at, into.buffer.length);
        into.buffer.set(data.subarray(at, at + n));
        at += n;
        this._sendHeldNow(this._deliverInto(null, n));
      }
    } catch (e) {
      if (at < data.length && !this._closed) {
        if (this._stalled === null && this._into !== null) this._native._$readStop(); // until it is delivered
        (this._stalled ??= []).unshift([null, data.subarray(at)]);
        if (this._readsNow) this._native._$readRedeliver();
      }
      throw e;
    }
    if (at < data.length && !this._closed) {
      this._sendHeldNow(this._read(null, data.subarray(at)));
    }
  }

  /** @internal whether startRead takes options.buffer (not on TLS) */
  static _readsIntoBuffer = true;

  private _startReadInto(n: N, cb: ReadIntoCallback<this>, options: unknown): void {
    const o = checkObject(options, 'options');
    const source = o.buffer;
    if (typeof source !== 'function') checkReadBuffer(source);
    if (!(this.constructor as typeof Stream)._readsIntoBuffer) {
      throw invalidArgValue('options.buffer', source, `is not supported by ${this.constructor.name} streams`);
    }
    const next = typeof source === 'function' ? (source as () => Uint8Array) : null;
    const buffer = next !== null ? returnedReadBuffer(next.call(undefined)) : (source as Uint8Array);
    if (this._stalled === null) {
      n._$readStartInto(buffer, true);
    } else {
      n._$readStop(); // until the stalled reads are copied in (_drainStalled)
      n._$readRedeliver();
    }
    streamsById[this._id] = this as unknown as Stream;
    this._readCallback = null;
    this._into = { cb, buffer, next };
  }

  // The function form: the buffer of the next read. A failure stops reading.
  private _nextReadBuffer(into: ReadInto<this>): void {
    let buffer: Uint8Array;
    try {
      buffer = returnedReadBuffer(into.next!.call(undefined));
    } catch (err) {
      this._into = null;
      this._native._$readStop();
      throw err;
    }
    if (buffer === into.buffer) return;
    into.buffer = buffer;
    this._native._$readStartInto(buffer, false);
  }

  /** @internal */
  override _sendHeld(): void {
    if (this._held === TABLED) return batchOf(this._home)!.handOver();
    const d = this._held!;
    this._held = null;
    binding.write(this._id, d, false);
  }

  /** @internal Sends now the write a read callback returned as held, if any (outside a batch's table). */
  _sendHeldNow(h: Uint8Array | Uint8Array[] | null): void {
    if (h === null) return;
    this._held = h;
    this._sendHeld();
  }

  /** @internal Calls the read callback; returns the write it held, if any. */
  _deliver(err: UVError | null, data: Buffer | null): Uint8Array | Uint8Array[] | null {
    const cb = this._readCallback!;
    if (data === null) {
      // The end of the stream, or an error: reading has stopped.
      this._readCallback = null;
      this._leaveReading();
    }
    this._reading = this._holdsWrites;
    try {
      cb.call(null, err, data, this);
    } catch (e) {
      this._readFailed();
      throw e;
    }
    return this._readDone();
  }

  /** @internal Calls the read callback of the caller's-buffer form; returns the write it held, if any. */
  _deliverInto(err: UVError | null, nread: number): Uint8Array | Uint8Array[] | null {
    const into = this._into!;
    if (nread === 0) {
      this._into = null; // the end, or an error: reading has stopped
      this._leaveReading();
    }
    this._reading = this._holdsWrites;
    try {
      into.cb.call(null, err, nread, into.buffer, this);
      if (into.next !== null && this._into === into && !this._closed) this._nextReadBuffer(into);
    } catch (e) {
      this._readFailed();
      throw e;
    }
    return this._readDone();
  }

  /** @internal The end of a read callback: the write it held, if any. */
  _readDone(): Uint8Array | Uint8Array[] | null {
    this._reading = false;
    const held = this._held;
    this._held = null;
    return held;
  }

  /** @internal A read callback threw: a write it held is sent now. */
  _readFailed(): void {
    this._reading = false;
    this._sendHeldFirst();
  }

  /**
   * Writes data (an array is one vectored write); cb(err, handle) once it is
   * written. Without a callback, a failure known during the call is thrown,
   * and a later one (EPIPE…) goes where a callback's exception goes:
   * loop.excepthook, or run() throws it; `err.handle` is this handle. A
   * write without a callback made inside this stream's own read callback is
   * sent when that callback returns (any other use of the stream sends it
   * first); its failure is reported as a later one.
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
      (this._writeCallbacks ??= new FIFO<ErrCallback<this>>()).push(cb);
    }
  }

  /** Writes what the socket takes now; returns the bytes written, EAGAIN if none. */
  tryWrite(data: Data): number {
    const n = this._use('tryWrite');
    return n._$tryWrite(checkData(data));
  }

  /** Ends the writing side once pending writes are done. */
  shutdown(cb?: ErrCallback<this>): void {
    const n = this._use('shutdown');
    checkOptionalFunction(cb, 'callback');
    n._$shutdown();
    this._shutdownCallback = cb ?? null;
  }

  setBlocking(blocking: boolean): void {
    const n = this._use('setBlocking');
    checkBoolean(blocking, 'blocking');
    n._$setBlocking(blocking);
  }

  get readable(): boolean {
    return this._native._$isReadable();
  }

  get writable(): boolean {
    return this._native._$isWritable();
  }

  /** Bytes queued for writing. */
  get writeQueueSize(): number {
    this._sendHeldFirst();
    return this._native._$writeQueueSize();
  }

  /** @internal Closing drops the caller's read buffer (native drops its hold in Closing). */
  override _closeNative(): void {
    this._noInto();
    if (this._stalled !== null) this._stalled = null;
    super._closeNative();
    this._leaveReading();
  }

  static {
    const proto = Stream.prototype as unknown as Record<string, unknown>;
    for (const name of ['_readCallback', '_into', '_listenCallback', '_shutdownCallback', '_connectCallback', '_bound',
      '_peer', '_writeCallbacks', '_held', '_stalled']) {
      proto[name] = null;
    }
    proto._reading = false;
    proto._holdsWrites = true;
    binding.setCallbacks({
      // A read in a Buffer of its own; (null, null) at the end of the stream;
      // (err, null) for an error, which ends reading.
      // Each returns the write the callback held (see _held).
      onRead(this: Stream, err: UVError | null, data: Buffer | null) {
        return this._read(err, data);
      },
      // A read copied into a read pool (when a read batch is being delivered).
      onReadPooled(this: Stream, pool: ArrayBuffer, offset: number, length: number) {
        return this._read(null, new PoolView(pool, offset, length));
      },
      // A bulk read (no copy) that did not fill its Buffer.
      onReadSlice(this: Stream, data: Buffer, length: number) {
        return this._read(null, data.subarray(0, length));
      },
      // The pooled reads of a poll phase (see ReadBatch), called with the
      // Loop as `this`: entries[first, count) of the shared array.
      onReadBatch(this: BatchLoop, pool: ArrayBuffer, entries: Uint32Array, first: number, count: number,
        out: Uint8Array, held: Uint32Array) {
        const batch = (this._readBatch ??= new ReadBatch(out, held, this._native as NativeBatchLoop));
        batch.running = true;
        let i = first;
        try {
          while (i < count) {
            const k = i * 3;
            i++;
            const s = streamsById[entries[k]];
            if (s === undefined || s._closed) continue;
            const offset = entries[k + 1];
            if (offset === REDELIVER) {
              s._drainStalled();
              continue;
            }
            const data = poolView(pool, offset, entries[k + 2]);
            const err = data !== null ? null : lostRead(s);
            if (s._readCallback === null || s._stalled !== null) {
              s._lateRead(err, data);
              continue;
            }
            const h = s._deliver(err, data);
            if (h === null) continue;
            if (h === TABLED || batch.table(s, h, pool, data, offset)) {
              s._held = TABLED;
              continue;
            }
            s._sendHeldNow(h);
          }
        } finally {
          held[0] = batch.writes;
          held[1] = i;
          batch.clear();
          // After an exception native calls again with the entries left.
          batch.running = i < count;
          if (i === count && batch.leaving.length !== 0) {
            for (const s of batch.leaving) {
              if ((s._closed || (s._readCallback === null && s._into === null)) && streamsById[s._id] === s) {
                streamsById[s._id] = undefined;
              }
            }
            batch.leaving.length = 0;
          }
        }
      },
      // A read into the caller's buffer (startRead's second form): nread
      // bytes; (null, 0) at the end of the stream; (err, 0) for an error.
      // Both end reading (native has dropped the buffer).
      onReadInto(this: Stream, err: UVError | null, nread: number) {
        // The end or an error after reads of the same poll phase, whose
        // callbacks may have stopped the stream or switched its form.
        if (nread === 0 && (this._into === null || this._stalled !== null)) return this._read(err, null);
        return this._deliverInto(err, nread);
      },
      onWrite(this: Stream, err: UVError | null) {
        this._writeCallbacks!.shift().call(null, err, this);
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
