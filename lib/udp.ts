import { Family, SockAddr, checkAddress, checkFamily, checkIP, sockAddr } from './address';
import { binding, NativeHandle } from './binding';
import { FIFO } from './datapath';
import { UV_JOIN_GROUP, UV_LEAVE_GROUP, UV_UDP_IPV6ONLY, UV_UDP_REUSEADDR, UV_UDP_REUSEPORT } from './constants';
import { HandleError, UVError, withAddress } from './errors';
import { needFeature } from './features';
import { WrappedHandle, withNative } from './handle';
import type { Loop } from './loop';
import { Facts, addSocketFacts } from './inspect';
import { PoolView } from './readpool';
import {
  Data, checkArray, checkBoolean, checkData, checkFd, checkFlags, checkFunction, checkInteger, checkObject, checkOneOf,
  checkOptionalFunction, checkPort, invalidArgValue,
} from './validate';

/** A libuv failure of a UDP. */
export class UDPError extends HandleError {}

interface NativeUDP extends NativeHandle {
  _$bind(ip: string, port: number, flags: number): void;
  _$connect(ip: string, port: number): void;
  _$getpeername(): SockAddr;
  _$getsockname(): SockAddr;
  _$open(fd: number): void;
  // ip null: the connected peer
  _$trySend(ip: string | null, port: number, data: Uint8Array | Uint8Array[]): number;
  _$recvStart(): void;
  _$recvStop(): void;
  _$setMembership(group: string, iface: string | null, membership: number): void;
  _$setSourceMembership(group: string, iface: string | null, source: string, membership: number): void;
  _$usingRecvmmsg(): boolean;
  _$trySendMany(ips: (string | null)[], ports: number[], datas: (Uint8Array | Uint8Array[])[]): number;
  _$setMulticastInterface(iface: string | null): void;
  _$setOption(option: number, value: number): void;
  _$family(): Family | null;
  _$sendQueueSize(): number;
  _$sendQueueCount(): number;
}

// The integer/boolean socket options of native setOption().
const MULTICAST_TTL = 0;
const MULTICAST_LOOP = 1;
const BROADCAST = 2;
const TTL = 3;

export type UDPSendCallback<H> = (err: UVError | null, handle: H) => void;
export type UDPRecvCallback<H> = (
  err: UVError | null,
  data: Buffer | null,
  addr: SockAddr | null,
  flags: number,
  handle: H,
) => void;

// The sender of the datagram being delivered, written by native/udp.cc just
// before onUDPRecv or onUDPRecvPooled: family (4, 6, or 0 for none), port,
// flags, flowinfo, scope id, then the address (IPv4: one word, IPv6: four).
const sender = new Uint32Array(binding.udpSender as ArrayBuffer);
const FAMILY = 0;
const PORT = 1;
const FLAGS = 2;
const FLOWINFO = 3;
const SCOPE_ID = 4;
const ADDRESS = 5;
// The port of a send held in a receive callback (see UDP._held), for native.
const HELD_PORT = 9;
// Where in its pool a pooled datagram is (onUDPRecvPooled).
const POOL_OFFSET = 10;
const POOL_LENGTH = 11;

/**
 * A UDP socket. `send`/`trySend` to `ip === null` go to the peer of a
 * connected socket (libuv refuses an explicit address on a connected socket
 * with EISCONN, and a null one on an unconnected socket with EDESTADDRREQ).
 */
export class UDP extends WrappedHandle<NativeUDP> {
  static override errorClass = UDPError;
  private _recvCallback: UDPRecvCallback<this> | null = null;
  // Pending sends with a callback, three entries each: the callback, and the
  // address and port that its error names.
  private _sends = new FIFO<unknown>();
  private _family: Family | null;
  // The ip of the last send()/trySend() as the user gave it ('' excepted: its
  // meaning depends on the socket's family) and as checked: the next send to
  // the same ip skips the check.
  private _sendIP: string | null = null;
  private _sendAddress = '';
  // The last sender of a datagram: its address words and ip string.
  private _senderFamily = 0;
  private _sender0 = 0;
  private _sender1 = 0;
  private _sender2 = 0;
  private _sender3 = 0;
  private _senderIP = '';
  // While the receive callback runs, a send without a callback to the
  // datagram's sender is held here and returned to native with the
  // callback's end, which sends it (native/udp.cc SendHeld): an echo enters
  // native once, not twice. Any other use of the socket sends it first.
  private _receiving = false;
  /** @internal */
  declare _held: Uint8Array | Uint8Array[] | null;
  private _heldPort = 0;

  /** With a family, the socket is created at once (uv_udp_init_ex). */
  constructor(loop?: Loop, family?: Family) {
    const f = checkFamily(family);
    super(loop, binding.UDP, f === 'IPv4' ? 4 : f === 'IPv6' ? 6 : 0);
    this._family = f ?? null;
  }

  /** flags: UV_UDP_IPV6ONLY | UV_UDP_REUSEADDR | UV_UDP_REUSEPORT (`features.udpReusePort`). */
  bind(ip: string, port: number, flags = 0): void {
    const n = this._use('bind');
    const [addr, p] = checkAddress(ip, port, this.family ?? undefined);
    checkFlags(flags, 'flags', UV_UDP_IPV6ONLY | UV_UDP_REUSEADDR | UV_UDP_REUSEPORT,
      'UV_UDP_IPV6ONLY, UV_UDP_REUSEADDR and UV_UDP_REUSEPORT');
    if (flags & UV_UDP_REUSEPORT) needFeature('udpReusePort', 'bind', UDPError);
    this._atAddress(addr, p, () => n._$bind(addr, p, flags));
  }

  /** Sets the default peer (synchronous in libuv); sends then use ip null. */
  connect(ip: string, port: number): void {
    const n = this._use('connect');
    const [addr, p] = checkAddress(ip, port, this.family ?? undefined);
    this._atAddress(addr, p, () => n._$connect(addr, p));
  }

  getpeername(): SockAddr {
    return this._use('getpeername')._$getpeername();
  }

  getsockname(): SockAddr {
    return this._use('getsockname')._$getsockname();
  }

  /** Takes over an existing UDP socket fd (it is closed with the handle). */
  open(fd: number): void {
    const n = this._use('open');
    n._$open(checkFd(fd));
  }

  /**
   * Sends one datagram (an array is sent as one datagram). The caller's
   * buffers are used in place until the callback: do not change them before.
   * Failures after the call (EMSGSIZE, ECONNREFUSED…) go to the callback;
   * with no callback, one known at once is thrown, and a later one goes
   * where an exception of a callback goes (loop.excepthook, or run()
   * throws it). Errors name the address and port.
   */
  send(ip: string | null, port: number | null, data: Data, cb?: UDPSendCallback<this>): void {
    this._checkOpen('send');
    const [addr, p] = this._destination(ip, port);
    const d = checkData(data);
    checkOptionalFunction(cb, 'callback');
    const hasCallback = typeof cb === 'function';
    if (this._held !== null) {
      this._sendHeld();
    } else if (this._receiving && !hasCallback && addr === this._senderIP) {
      this._held = d;
      this._heldPort = p;
      return;
    }
    try {
      binding.udpSend(this._id, addr, p, d, hasCallback);
    } catch (err) {
      throw withAddress(err as UVError, addr, p);
    }
    if (hasCallback) {
      this._sends.push(cb);
      this._sends.push(addr);
      this._sends.push(p);
    }
  }

  /** Sends at once or throws UDPError EAGAIN (also while sends are queued). */
  trySend(ip: string | null, port: number | null, data: Data): number {
    const n = this._use('trySend');
    const [addr, p] = this._destination(ip, port);
    const d = checkData(data);
    try {
      return n._$trySend(addr, p, d);
    } catch (err) {
      throw withAddress(err as UVError, addr, p);
    }
  }

  /**
   * Receives datagrams: cb(null, data, addr, flags) for each (an empty
   * datagram is an empty Buffer; flags has UV_UDP_PARTIAL if it was
   * truncated), cb(err, null, null, 0) for a receive error.
   */
  startRecv(cb: UDPRecvCallback<this>): void {
    const n = this._use('startRecv');
    checkFunction(cb, 'callback');
    this._recvCallback = cb;
    n._$recvStart();
  }

  stopRecv(): void {
    this._use('stopRecv')._$recvStop();
  }

  /** membership: UV_JOIN_GROUP | UV_LEAVE_GROUP; iface null = chosen by the system. */
  setMembership(group: string, iface: string | null, membership: number): void {
    const n = this._use('setMembership');
    checkIP(group, 'group');
    if (iface !== null && iface !== undefined) checkIP(iface, 'iface');
    checkOneOf(membership, 'membership', [UV_JOIN_GROUP, UV_LEAVE_GROUP], 'UV_JOIN_GROUP or UV_LEAVE_GROUP');
    n._$setMembership(group, iface ?? null, membership);
  }

  /**
   * Source-specific multicast: receive `group`'s datagrams from `source`
   * only. membership: UV_JOIN_GROUP | UV_LEAVE_GROUP; iface null = chosen by
   * the system.
   */
  setSourceMembership(group: string, iface: string | null, source: string, membership: number): void {
    const n = this._use('setSourceMembership');
    checkIP(group, 'group');
    if (iface !== null && iface !== undefined) checkIP(iface, 'iface');
    checkIP(source, 'source');
    checkOneOf(membership, 'membership', [UV_JOIN_GROUP, UV_LEAVE_GROUP], 'UV_JOIN_GROUP or UV_LEAVE_GROUP');
    n._$setSourceMembership(group, iface ?? null, source, membership);
  }

  /** Whether libuv receives into batches of datagrams (recvmmsg) on this socket. */
  get usingRecvmmsg(): boolean {
    return !this._closed && this._native._$usingRecvmmsg();
  }

  /**
   * Sends datagrams at once, in one system call (sendmmsg) where libuv has
   * it (`features.udpTrySendMany`, libuv 1.50; ENOTSUP otherwise). Returns
   * how many were sent, from the first; UDPError EAGAIN if none could be.
   * An item's `ip` null sends to the connected peer.
   */
  trySendMany(items: { ip: string | null; port: number | null; data: Data }[]): number {
    const n = this._use('trySendMany');
    const list = checkArray(items, 'items');
    if (list.length === 0) throw invalidArgValue('items', items, 'must not be empty');
    const ips: (string | null)[] = [];
    const ports: number[] = [];
    const datas: (Uint8Array | Uint8Array[])[] = [];
    for (let i = 0; i < list.length; i++) {
      const item = checkObject(list[i], `items[${i}]`);
      const [addr, p] = this._target(item.ip, item.port);
      ips.push(addr);
      ports.push(p);
      datas.push(checkData(item.data, `items[${i}].data`));
    }
    needFeature('udpTrySendMany', 'send', UDPError);
    try {
      return n._$trySendMany(ips, ports, datas);
    } catch (err) {
      throw withAddress(err as UVError, ips[0], ports[0]);
    }
  }

  /** The interface (its address) for outgoing multicast; '' or null = default. */
  setMulticastInterface(iface: string | null): void {
    const n = this._use('setMulticastInterface');
    if (iface !== null && iface !== '') checkIP(iface, 'iface');
    n._$setMulticastInterface(iface || null);
  }

  setMulticastTTL(ttl: number): void {
    const n = this._use('setMulticastTTL');
    n._$setOption(MULTICAST_TTL, checkInteger(ttl, 'ttl', 0, 255));
  }

  setMulticastLoop(on: boolean): void {
    const n = this._use('setMulticastLoop');
    checkBoolean(on, 'on');
    n._$setOption(MULTICAST_LOOP, on ? 1 : 0);
  }

  setBroadcast(on: boolean): void {
    const n = this._use('setBroadcast');
    checkBoolean(on, 'on');
    n._$setOption(BROADCAST, on ? 1 : 0);
  }

  setTTL(ttl: number): void {
    const n = this._use('setTTL');
    n._$setOption(TTL, checkInteger(ttl, 'ttl', 1, 255));
  }

  /** @internal */
  override _facts(): Facts {
    const facts = super._facts();
    return this._closed ? facts : addSocketFacts(facts, this.family, this._native);
  }

  /** The socket's family; null while no socket exists (nothing bound or sent yet). */
  get family(): Family | null {
    if (!this._closed && this._family === null) this._family = this._native._$family();
    return this._family;
  }

  /** Bytes waiting in the send queue. */
  get sendQueueSize(): number {
    this._sendHeldFirst();
    return this._native._$sendQueueSize();
  }

  /** Sends waiting in the send queue (including completed ones whose callback is due). */
  get sendQueueCount(): number {
    this._sendHeldFirst();
    return this._native._$sendQueueCount();
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

  // The checked (ip, port) of a send; an ip equal to the last one was
  // checked already.
  private _destination(ip: unknown, port: unknown): [string | null, number] {
    if (ip === this._sendIP && ip !== null) return [this._sendAddress, checkPort(port)];
    const target = this._target(ip, port);
    if (target[0] !== null && ip !== '') {
      this._sendIP = ip as string;
      this._sendAddress = target[0];
    }
    return target;
  }

  /** @internal */
  override _sendHeld(): void {
    const d = this._held!;
    const addr = this._senderIP;
    const p = this._heldPort;
    this._held = null;
    try {
      binding.udpSend(this._id, addr, p, d, false);
    } catch (err) {
      throw withAddress(err as UVError, addr, p);
    }
  }

  // A received datagram: its sender from the sender words. Calls the
  // receive callback; returns the send it held, if any.
  private _received(err: UVError | null, data: Buffer | null): Uint8Array | Uint8Array[] | null {
    const family = sender[FAMILY];
    let addr: SockAddr | null = null;
    if (family !== 0) {
      const a0 = sender[ADDRESS];
      const a1 = family === 6 ? sender[ADDRESS + 1] : 0;
      const a2 = family === 6 ? sender[ADDRESS + 2] : 0;
      const a3 = family === 6 ? sender[ADDRESS + 3] : 0;
      if (family !== this._senderFamily || a0 !== this._sender0 || a1 !== this._sender1 || a2 !== this._sender2 ||
        a3 !== this._sender3) {
        this._senderIP = binding.udpSenderIP();
        this._senderFamily = family;
        this._sender0 = a0;
        this._sender1 = a1;
        this._sender2 = a2;
        this._sender3 = a3;
      }
      addr = sockAddr(this._senderIP, sender[PORT], family, sender[FLOWINFO], sender[SCOPE_ID]);
    }
    this._receiving = addr !== null;
    try {
      this._recvCallback!.call(null, err, data, addr, sender[FLAGS], this);
    } catch (e) {
      this._receiving = false;
      this._sendHeldFirst();
      throw e;
    }
    this._receiving = false;
    const held = this._held;
    if (held !== null) {
      this._held = null;
      sender[HELD_PORT] = this._heldPort;
    }
    return held;
  }

  private _target(ip: unknown, port: unknown): [string | null, number] {
    if (ip === null) {
      if (port !== null && port !== undefined) checkPort(port);
      return [null, 0];
    }
    return checkAddress(ip, port, this.family ?? undefined);
  }

  static {
    withNative(this, binding.UDP);
    binding.setCallbacks({
      // A datagram in a Buffer of its own, or (err, null) for a receive error.
      // Each returns the send the callback held (see _held).
      onUDPRecv(this: UDP, err: UVError | null, data: Buffer | null) {
        return this._received(err, data);
      },
      // A datagram copied into a read pool, at the place the sender words give.
      onUDPRecvPooled(this: UDP, pool: ArrayBuffer) {
        return this._received(null, new PoolView(pool, sender[POOL_OFFSET], sender[POOL_LENGTH]));
      },
      onUDPSend(this: UDP, err: UVError | null) {
        const q = this._sends;
        const cb = q.shift() as UDPSendCallback<UDP>;
        const address = q.shift() as string | null;
        const port = q.shift() as number;
        if (err !== null) withAddress(err, address, port);
        cb.call(null, err, this);
      },
    });
  }
}
