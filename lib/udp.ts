import { Family, SockAddr, checkAddress, checkFamily, checkIP } from './address';
import { binding, NativeHandle } from './binding';
import { UV_JOIN_GROUP, UV_LEAVE_GROUP, UV_UDP_IPV6ONLY, UV_UDP_REUSEADDR, UV_UDP_REUSEPORT } from './constants';
import { UDPError, UVError, withAddress } from './errors';
import { needFeature } from './features';
import { WrappedHandle } from './handle';
import type { Loop } from './loop';
import { Facts, addSocketFacts } from './inspect';
import { PoolView } from './readpool';
import {
  Data, checkArray, checkBoolean, checkData, checkFd, checkFlags, checkFunction, checkInteger, checkObject, checkOneOf,
  checkOptionalFunction, checkPort, invalidArgValue,
} from './validate';

interface NativeUDP extends NativeHandle {
  bind(ip: string, port: number, flags: number): void;
  connect(ip: string, port: number): void;
  getpeername(): SockAddr;
  getsockname(): SockAddr;
  open(fd: number): void;
  // ip undefined: the ip of the last send/trySend that returned normally
  send(ip: string | null | undefined, port: number, data: Uint8Array | Uint8Array[], hasCallback: boolean): void;
  trySend(ip: string | null | undefined, port: number, data: Uint8Array | Uint8Array[]): number;
  recvStart(): void;
  recvStop(): void;
  setMembership(group: string, iface: string | null, membership: number): void;
  setSourceMembership(group: string, iface: string | null, source: string, membership: number): void;
  usingRecvmmsg(): boolean;
  trySendMany(ips: (string | null)[], ports: number[], datas: (Uint8Array | Uint8Array[])[]): number;
  setMulticastInterface(iface: string | null): void;
  setOption(option: number, value: number): void;
  family(): Family | null;
  sendQueueSize(): number;
  sendQueueCount(): number;
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

// The address a send concerns, for its error: the ip as sent ('<broadcast>'
// as 255.255.255.255), none for the connected peer (ip null).
function sendAddress(ip: string | null, addr: string | null | undefined): string | null {
  if (addr !== undefined) return addr;
  return ip === '<broadcast>' ? '255.255.255.255' : ip;
}

/**
 * A UDP socket. `send`/`trySend` to `ip === null` go to the peer of a
 * connected socket (libuv refuses an explicit address on a connected socket
 * with EISCONN, and a null one on an unconnected socket with EDESTADDRREQ).
 */
export class UDP extends WrappedHandle<NativeUDP> {
  static override errorClass = UDPError;
  private _recvCallback: UDPRecvCallback<this> | null = null;
  // Pending sends with a callback, in order (libuv completes sends in
  // order), three entries each: the callback, the address and the port.
  private _sends: unknown[] = [];
  private _sendHead = 0;
  private _family: Family | null;
  // The ip (as the user gave it) of the last send()/trySend() that returned
  // normally, '' (family-dependent) excepted: native still holds its parsed
  // address. Cleared while a call with another ip is in native, so that a
  // throw there cannot leave the two out of step.
  private _sendIP: string | null = null;
  // The sender address string of the last datagram (see onUDPRecv).
  private _senderIP: string | null = null;

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
    this._atAddress(addr, p, () => n.bind(addr, p, flags));
  }

  /** Sets the default peer (synchronous in libuv); sends then use ip null. */
  connect(ip: string, port: number): void {
    const n = this._use('connect');
    const [addr, p] = checkAddress(ip, port, this.family ?? undefined);
    this._atAddress(addr, p, () => n.connect(addr, p));
  }

  getpeername(): SockAddr {
    return this._use('getpeername').getpeername();
  }

  getsockname(): SockAddr {
    return this._use('getsockname').getsockname();
  }

  /** Takes over an existing UDP socket fd (it is closed with the handle). */
  open(fd: number): void {
    const n = this._use('open');
    n.open(checkFd(fd));
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
    const n = this._use('send');
    const [addr, p] = this._destination(ip, port);
    const d = checkData(data);
    checkOptionalFunction(cb, 'callback');
    const hasCallback = typeof cb === 'function';
    try {
      n.send(addr, p, d, hasCallback);
    } catch (err) {
      throw withAddress(err as UVError, sendAddress(ip, addr), p);
    }
    this._sent(ip, addr);
    if (hasCallback) this._sends.push(cb, sendAddress(ip, addr), p);
  }

  /** Sends at once or throws UDPError EAGAIN (also while sends are queued). */
  trySend(ip: string | null, port: number | null, data: Data): number {
    const n = this._use('trySend');
    const [addr, p] = this._destination(ip, port);
    const d = checkData(data);
    let sent: number;
    try {
      sent = n.trySend(addr, p, d);
    } catch (err) {
      throw withAddress(err as UVError, sendAddress(ip, addr), p);
    }
    this._sent(ip, addr);
    return sent;
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
    n.recvStart();
  }

  stopRecv(): void {
    this._use('stopRecv').recvStop();
  }

  /** membership: UV_JOIN_GROUP | UV_LEAVE_GROUP; iface null = chosen by the system. */
  setMembership(group: string, iface: string | null, membership: number): void {
    const n = this._use('setMembership');
    checkIP(group, 'group');
    if (iface !== null && iface !== undefined) checkIP(iface, 'iface');
    checkOneOf(membership, 'membership', [UV_JOIN_GROUP, UV_LEAVE_GROUP], 'UV_JOIN_GROUP or UV_LEAVE_GROUP');
    n.setMembership(group, iface ?? null, membership);
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
    n.setSourceMembership(group, iface ?? null, source, membership);
  }

  /** Whether libuv receives into batches of datagrams (recvmmsg) on this socket. */
  get usingRecvmmsg(): boolean {
    return !this._closed && this._native.usingRecvmmsg();
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
      return n.trySendMany(ips, ports, datas);
    } catch (err) {
      throw withAddress(err as UVError, sendAddress(ips[0], ips[0]), ports[0]);
    }
  }

  /** The interface (its address) for outgoing multicast; '' or null = default. */
  setMulticastInterface(iface: string | null): void {
    const n = this._use('setMulticastInterface');
    if (iface !== null && iface !== '') checkIP(iface, 'iface');
    n.setMulticastInterface(iface || null);
  }

  setMulticastTTL(ttl: number): void {
    const n = this._use('setMulticastTTL');
    n.setOption(MULTICAST_TTL, checkInteger(ttl, 'ttl', 0, 255));
  }

  setMulticastLoop(on: boolean): void {
    const n = this._use('setMulticastLoop');
    checkBoolean(on, 'on');
    n.setOption(MULTICAST_LOOP, on ? 1 : 0);
  }

  setBroadcast(on: boolean): void {
    const n = this._use('setBroadcast');
    checkBoolean(on, 'on');
    n.setOption(BROADCAST, on ? 1 : 0);
  }

  setTTL(ttl: number): void {
    const n = this._use('setTTL');
    n.setOption(TTL, checkInteger(ttl, 'ttl', 1, 255));
  }

  /** @internal */
  override _facts(): Facts {
    const facts = super._facts();
    return this._closed ? facts : addSocketFacts(facts, this.family, this._native);
  }

  /** The socket's family; null while no socket exists (nothing bound or sent yet). */
  get family(): Family | null {
    if (!this._closed && this._family === null) this._family = this._native.family();
    return this._family;
  }

  /** Bytes waiting in the send queue. */
  get sendQueueSize(): number {
    return this._native.sendQueueSize();
  }

  /** Sends waiting in the send queue (including completed ones whose callback is due). */
  get sendQueueCount(): number {
    return this._native.sendQueueCount();
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

  // The checked (ip, port) of a send. An ip equal to the last one sent to
  // (this._sendIP) was checked already and native reuses its parsed address:
  // ip undefined. Any other ip clears the cache before native sees it, so a
  // throw there cannot leave lib/ and native out of step.
  private _destination(ip: unknown, port: unknown): [string | null | undefined, number] {
    if (ip === this._sendIP && ip !== null) return [undefined, checkPort(port)];
    this._sendIP = null;
    return this._target(ip, port);
  }

  // A send to `addr` returned normally: native holds its parsed address ('',
  // whose meaning depends on the socket's family, excepted).
  private _sent(ip: string | null, addr: string | null | undefined): void {
    if (addr !== undefined && addr !== null && ip !== '') this._sendIP = ip;
  }

  private _target(ip: unknown, port: unknown): [string | null, number] {
    if (ip === null) {
      if (port !== null && port !== undefined) checkPort(port);
      return [null, 0];
    }
    return checkAddress(ip, port, this.family ?? undefined);
  }

  static {
    binding.setCallbacks({
      onUDPRecv(
        this: UDP,
        err: UVError | null,
        data: Buffer | null,
        ip: string | null | undefined,
        port: number,
        family: number,
        flags: number,
        flowinfo: number,
        scopeId: number,
        offset?: number,
        length?: number,
      ) {
        // a datagram copied into the read pool: data is the pool
        if (length !== undefined) data = new PoolView(data as unknown as ArrayBuffer, offset!, length);
        // undefined: the same sender address as the last datagram's
        if (ip === undefined) ip = this._senderIP;
        else if (ip !== null) this._senderIP = ip;
        let addr: SockAddr | null = null;
        if (ip !== null) {
          addr = family === 4 ? { address: ip, port, family: 'IPv4' } : { address: ip, port, family: 'IPv6', flowinfo, scopeId };
        }
        this._recvCallback!.call(null, err, data, addr, flags, this);
      },
      // unclaimed: a send without a callback failed; its error goes where a
      // callback's exception would (excepthook, or run() throws it)
      onUDPSend(this: UDP, err: UVError | null, unclaimed?: boolean) {
        if (unclaimed === true) throw this._unclaimed(err!);
        const q = this._sends;
        const i = this._sendHead;
        const cb = q[i] as UDPSendCallback<UDP>;
        if (err !== null) withAddress(err, q[i + 1] as string | null, q[i + 2] as number);
        q[i] = q[i + 1] = q[i + 2] = undefined;
        this._sendHead = i + 3;
        if (this._sendHead === q.length) {
          q.length = 0;
          this._sendHead = 0;
        }
        cb.call(null, err, this);
      },
    });
  }
}
