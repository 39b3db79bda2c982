// Addresses as (ip, port) pairs: checked here, parsed by native/sockaddr.h.
import { isIP } from 'net';
import { checkInteger } from './validate';

export type Family = 'IPv4' | 'IPv6';

export interface SockAddr {
  address: string;
  port: number;
  family: Family;
  flowinfo?: number;
  scopeId?: number;
}

export function checkFamily(value: unknown): Family | undefined {
  if (value === undefined || value === 'IPv4' || value === 'IPv6') return value;
  throw new TypeError(`family must be 'IPv4' or 'IPv6', got ${String(value)}`);
}

/**
 * A numeric IPv4/IPv6 ip and a port. '' is the wildcard of `family`
 * (0.0.0.0, or :: for IPv6), '<broadcast>' is 255.255.255.255.
 */
export function checkAddress(ip: unknown, port: unknown, family?: Family): [string, number] {
  if (typeof ip !== 'string') throw new TypeError(`ip must be a string, got ${typeof ip}`);
  const p = checkInteger(port, 'port', 0, 65535);
  if (ip === '') return [family === 'IPv6' ? '::' : '0.0.0.0', p];
  if (ip === '<broadcast>') return ['255.255.255.255', p];
  if (isIP(ip) === 0) throw new TypeError(`ip must be a numeric IPv4 or IPv6 address, got '${ip}'`);
  return [ip, p];
}
