import { binding } from './binding';
import { checkAddress, checkFamily, Family, SockAddr } from './address';
import { UV_TCP_IPV6ONLY, UV_TCP_REUSEPORT } from './constants';
import { needFeature } from './features';
import { UVError } from './errors';
import { Facts, addSocketFacts } from './inspect';
import type { Loop } from './loop';
import { NativeStream, Stream, StreamError } from './stream';
import { checkBoolean, checkFd, checkFunction, checkInteger, checkMs, checkOneOf, checkOptionalFunction } from './validate';
import { withNative } from './handle';

/** A libuv failure of a TCP. */
export class TCPError extends StreamError {}

interface NativeTCP extends NativeStream {
  _$bind(ip: string, port: number, flags: number): void;
  _$connect(ip: string, port: number): void;
  _$open(fd: number): void;
  _$getsockname(): SockAddr;
  _$getpeername(): SockAddr;
  _$nodelay(enable: boolean): void;
  _$keepalive(enable: boolean, delaySeconds: number): void;
  _$keepaliveEx(enable: boolean, idleSeconds: number, intervalSeconds: number, count: number): void;
  _$simultaneousAccepts(enable: boolean): void;
  _$closeReset(): void;
  _$family(): Family | null;
}

const MAX_KEEPALIVE_MS = 0x7fffffff * 1000;

function familyCode(family: unknown): number {
  const f = checkFamily(family);
  return f === 'IPv4' ? 4 : f === 'IPv6' ? 6 : 0;
}

/** A TCP socket: a server (bind, listen, accept) or a connection. */
export class TCP extends Stream<NativeTCP> {
  static {
    withNative(this, binding.TCP);
    (TCP.prototype as { _requestedFamily?: Family })._requestedFamily = undefined;
  }

  static override errorClass = TCPError;
  /** @internal the family given to the constructor (prototype: undefined, 8 bytes less per accepted connection) */
  declare _requestedFamily: Family | undefined;

  /** With a family the socket is created at once (uv_tcp_init_ex); otherwise at bind/connect. */
  constructor(loop?: Loop, family?: Family) {
    super(loop, binding.TCP, familyCode(family));
    if (family !== undefined) this._requestedFamily = family;
  }

  /** @internal */
  override _facts(): Facts {
    const facts = super._facts();
    return this._closed ? facts : addSocketFacts(facts, this.family, this._native);
  }

  /**
   * Binds to ip:port ('' = the wildcard of the handle's family). libuv may
   * report a busy address (EADDRINUSE) only at listen() or connect().
   */
  bind(ip: string, port: number, flags = 0): void {
    const n = this._use('bind');
    const [addr, p] = checkAddress(ip, port, this.family ?? this._requestedFamily);
    checkOneOf(flags, 'flags', [0, UV_TCP_IPV6ONLY, UV_TCP_REUSEPORT, UV_TCP_IPV6ONLY | UV_TCP_REUSEPORT],
      '0, UV_TCP_IPV6ONLY, UV_TCP_REUSEPORT or both');
    if (flags & UV_TCP_REUSEPORT) needFeature('tcpReusePort', 'bind', TCPError);
    this._atAddress(addr, p, () => n._$bind(addr, p, flags));
    this._bound = [addr, p];
  }

  /** Connects; cb(err, handle), e.g. TCPError ECONNREFUSED. */
  connect(ip: string, port: number, cb: (err: UVError | null, handle: this) => void): void {
    const n = this._use('connect');
    const [addr, p] = checkAddress(ip, port, this.family ?? this._requestedFamily);
    checkFunction(cb, 'callback');
    this._atAddress(addr, p, () => n._$connect(addr, p));
    this._connectCallback = cb;
    this._peer = [addr, p];
  }

  /** Adopts an existing socket fd; the handle closes it. */
  open(fd: number): void {
    const n = this._use('open');
    n._$open(checkFd(fd));
  }

  getsockname(): SockAddr {
    return this._use('getsockname')._$getsockname();
  }

  getpeername(): SockAddr {
    return this._use('getpeername')._$getpeername();
  }

  /** TCP_NODELAY: disables Nagle's algorithm. */
  nodelay(enable: boolean): void {
    const n = this._use('nodelay');
    checkBoolean(enable, 'enable');
    n._$nodelay(enable);
  }

  /**
   * SO_KEEPALIVE with the idle time before the first probe in ms (default
   * 60000) and, where `features.tcpKeepaliveEx` (libuv 1.52), the time
   * between probes (default 1000) and how many unanswered probes drop the
   * connection (default 10), libuv's own defaults. libuv counts whole
   * seconds: times are rounded up, at least 1 s.
   */
  keepalive(enable: boolean, delayMs = 60000, intervalMs?: number, count?: number): void {
    const n = this._use('keepalive');
    checkBoolean(enable, 'enable');
    // libuv takes an unsigned int of seconds; Linux an int.
    const seconds = (ms: number, name: string) => Math.max(1, Math.ceil(checkMs(ms, name, MAX_KEEPALIVE_MS) / 1000));
    const delay = seconds(delayMs, 'delayMs');
    if (intervalMs === undefined && count === undefined) return n._$keepalive(enable, delay);
    const interval = seconds(intervalMs ?? 1000, 'intervalMs');
    const probes = checkInteger(count ?? 10, 'count', 1, 0x7fffffff);
    needFeature('tcpKeepaliveEx', 'keepalive', TCPError);
    n._$keepaliveEx(enable, delay, interval, probes);
  }

  /** Windows only in libuv; accepted and ignored elsewhere. */
  simultaneousAccepts(enable: boolean): void {
    const n = this._use('simultaneousAccepts');
    checkBoolean(enable, 'enable');
    n._$simultaneousAccepts(enable);
  }

  /** Closes with a TCP RST instead of a FIN; TCPError EINVAL after shutdown(). */
  closeReset(cb?: (handle: this) => void): void {
    checkOptionalFunction(cb, 'callback');
    if (this._closed) return this._closeAgain(cb);
    this._sendHeldFirst(); // as close() and every other use do
    this._native._$closeReset();
    this._closed = true;
    this._closeCallback = cb ?? null;
  }

  /** The socket's family; null while there is no socket yet (or once closed). */
  get family(): Family | null {
    return this._native._$family();
  }

  /** SO_SNDBUF (Linux reports twice the size set). */
  get sendBufferSize(): number {
    return this._bufferSize(true);
  }

  set sendBufferSize(value: number) {
    this._bufferSize(true, value);
  }

  /** SO_RCVBUF (Linux reports twice the size set). */
  get receiveBufferSize(): number {
    return this._bufferSize(false);
  }

  set receiveBufferSize(value: number) {
    this._bufferSize(false, value);
  }
}
