// dns: name resolution through libuv (getaddrinfo/getnameinfo of the C
// library). Without a callback a call runs on the calling thread and returns
// or throws; with one it runs in libuv's threadpool, returns a DNSRequest and
// calls cb(err, result, req) on the loop, which it keeps alive until then.
import { SockAddr, checkAddress } from './address';
import { inspect } from 'util';
import { binding } from './binding';
import { inspectAs } from './inspect';
import { UVError } from './errors';
import { Loop, loopArg } from './loop';
import {
  checkInteger, checkObject, checkOneOf, checkOptionalFunction, checkPort, invalidArgType, invalidArgValue, missingArgs,
} from './validate';

const c: Record<string, number> = binding.dns.constants;

// Socket constants for options and results (the platform's values).
export const AF_UNSPEC: number = c.AF_UNSPEC;
export const AF_INET: number = c.AF_INET;
export const AF_INET6: number = c.AF_INET6;
export const SOCK_STREAM: number = c.SOCK_STREAM;
export const SOCK_DGRAM: number = c.SOCK_DGRAM;
export const SOCK_RAW: number = c.SOCK_RAW;
export const IPPROTO_IP: number = c.IPPROTO_IP;
export const IPPROTO_TCP: number = c.IPPROTO_TCP;
export const IPPROTO_UDP: number = c.IPPROTO_UDP;
/** getaddrinfo flags. */
export const AI_PASSIVE: number = c.AI_PASSIVE;
export const AI_CANONNAME: number = c.AI_CANONNAME;
export const AI_NUMERICHOST: number = c.AI_NUMERICHOST;
export const AI_NUMERICSERV: number = c.AI_NUMERICSERV;
export const AI_V4MAPPED: number = c.AI_V4MAPPED;
export const AI_ALL: number = c.AI_ALL;
export const AI_ADDRCONFIG: number = c.AI_ADDRCONFIG;
/** getnameinfo flags. */
export const NI_NUMERICHOST: number = c.NI_NUMERICHOST;
export const NI_NUMERICSERV: number = c.NI_NUMERICSERV;
export const NI_NOFQDN: number = c.NI_NOFQDN;
export const NI_NAMEREQD: number = c.NI_NAMEREQD;
export const NI_DGRAM: number = c.NI_DGRAM;

export interface AddrInfo {
  family: number; // AF_INET | AF_INET6
  socktype: number; // SOCK_STREAM | SOCK_DGRAM | SOCK_RAW
  protocol: number; // IPPROTO_TCP | IPPROTO_UDP | …
  canonname: string | null; // set on the first entry with AI_CANONNAME
  address: SockAddr;
}

export interface NameInfo {
  host: string;
  service: string;
}

export interface AddrInfoOptions {
  /** 0 / AF_UNSPEC (default), AF_INET, AF_INET6, or 'IPv4' / 'IPv6'. */
  family?: number | 'IPv4' | 'IPv6';
  /** 0 (any, default), SOCK_STREAM, SOCK_DGRAM or SOCK_RAW. */
  socktype?: number;
  /** 0 (any, default) or an IPPROTO_* number. */
  protocol?: number;
  /** AI_* flags. */
  flags?: number;
}

export type DNSCallback<R> = (err: UVError | null, result: R | null, req: DNSRequest<R>) => void;

/** A pending getaddrinfo/getnameinfo. */
export class DNSRequest<R = unknown> {
  /** Free for the user. */
  data: unknown = undefined;
  readonly loop: Loop;
  /** @internal */
  _req: unknown = null;
  /** @internal */
  _callback: DNSCallback<R>;
  /** @internal */
  _done = false;

  /** @internal */
  constructor(loop: Loop, cb: DNSCallback<R>) {
    this.loop = loop;
    this._callback = cb;
  }

  [inspect.custom](depth: number, options: object, fn?: Function): string {
    return inspectAs('DNSRequest', { done: this._done }, depth, options, fn);
  }

  /** Cancels a request that has not started running: its callback gets EAI_CANCELED. */
  cancel(): boolean {
    return !this._done && this._req !== null && binding.dns.cancel(this._req);
  }

  static {
    binding.setCallbacks({
      onDNS(this: DNSRequest, err: UVError | null, result: unknown) {
        this._done = true;
        this._callback.call(null, err, result, this);
      },
    });
  }
}

function checkFamilyNumber(value: unknown): number {
  if (value === undefined) return AF_UNSPEC;
  if (value === 'IPv4') return AF_INET;
  if (value === 'IPv6') return AF_INET6;
  if (typeof value === 'string') throw invalidArgValue('opts.family', value, "must be 'IPv4', 'IPv6', 0, 4 or 6");
  return checkOneOf(value, 'opts.family', [AF_UNSPEC, AF_INET, AF_INET6]);
}

/**
 * Resolves `host` (a name or a numeric address; null with a port for the
 * local/wildcard address) and `port` (a number or a service name such as
 * 'http'). Throws (sync) or passes to cb a UVError with an EAI_* code and
 * syscall 'getaddrinfo'.
 */
export function getaddrinfo(loop: Loop | undefined, host: string | null, port?: number | string | null,
  opts?: AddrInfoOptions | null): AddrInfo[];
export function getaddrinfo(loop: Loop | undefined, host: string | null, port: number | string | null | undefined,
  opts: AddrInfoOptions | null | undefined, cb: DNSCallback<AddrInfo[]>): DNSRequest<AddrInfo[]>;
export function getaddrinfo(loop: Loop | undefined, host: string | null, port: number | string | null | undefined,
  cb: DNSCallback<AddrInfo[]>): DNSRequest<AddrInfo[]>;
export function getaddrinfo(loop: Loop | undefined, host: string | null,
  cb: DNSCallback<AddrInfo[]>): DNSRequest<AddrInfo[]>;
export function getaddrinfo(loopIn: unknown, host: unknown, port?: unknown, opts?: unknown, cb?: unknown): unknown {
  if (typeof port === 'function') [port, opts, cb] = [undefined, undefined, port];
  else if (typeof opts === 'function') [opts, cb] = [undefined, opts];
  const loop = loopArg(loopIn);
  if (host !== null && host !== undefined && typeof host !== 'string') {
    throw invalidArgType('host', ['string', 'null'], host);
  }
  let service: string | null = null;
  if (typeof port === 'number') service = String(checkPort(port));
  else if (typeof port === 'string') service = port === '' ? null : port;
  else if (port !== null && port !== undefined) {
    throw invalidArgType('port', ['number', 'string'], port);
  }
  const node = host === undefined || host === '' ? null : host;
  if (node === null && service === null) throw missingArgs('host', 'port');
  if (opts !== null && opts !== undefined) checkObject(opts, 'opts');
  const o = (opts ?? {}) as AddrInfoOptions;
  const family = checkFamilyNumber(o.family);
  const socktype = o.socktype === undefined ? 0 : checkOneOf(o.socktype, 'opts.socktype', [0, SOCK_STREAM, SOCK_DGRAM, SOCK_RAW]);
  const protocol = o.protocol === undefined ? 0 : checkInteger(o.protocol, 'opts.protocol', 0, 255);
  const flags = o.flags === undefined ? 0 : checkInteger(o.flags, 'opts.flags', 0, 0x7fffffff);
  checkOptionalFunction(cb, 'callback');
  if (typeof cb !== 'function') {
    return binding.dns.getaddrinfo(loop._native, null, node, service, family, socktype, protocol, flags);
  }
  const req = new DNSRequest<AddrInfo[]>(loop, cb as DNSCallback<AddrInfo[]>);
  req._req = binding.dns.getaddrinfo(loop._native, req, node, service, family, socktype, protocol, flags);
  return req;
}

/**
 * The host name and service of a numeric address and port (NI_* flags).
 * Throws (sync) or passes to cb a UVError with syscall 'getnameinfo'.
 */
export function getnameinfo(loop: Loop | undefined, ip: string, port: number, flags?: number): NameInfo;
export function getnameinfo(loop: Loop | undefined, ip: string, port: number, flags: number | undefined,
  cb: DNSCallback<NameInfo>): DNSRequest<NameInfo>;
export function getnameinfo(loop: Loop | undefined, ip: string, port: number,
  cb: DNSCallback<NameInfo>): DNSRequest<NameInfo>;
export function getnameinfo(loopIn: unknown, ip: unknown, port: unknown, flags?: unknown, cb?: unknown): unknown {
  if (typeof flags === 'function') [flags, cb] = [undefined, flags];
  const loop = loopArg(loopIn);
  const [addr, p] = checkAddress(ip, port);
  const f = flags === undefined ? 0 : checkInteger(flags, 'flags', 0, 0x7fffffff);
  checkOptionalFunction(cb, 'callback');
  if (typeof cb !== 'function') return binding.dns.getnameinfo(loop._native, null, addr, p, f);
  const req = new DNSRequest<NameInfo>(loop, cb as DNSCallback<NameInfo>);
  req._req = binding.dns.getnameinfo(loop._native, req, addr, p, f);
  return req;
}
