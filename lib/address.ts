// Addresses as (ip, port) pairs: checked here, parsed by native/sockaddr.h;
// and the one encoder of SockAddr objects.
import { isIP } from 'net';
import { binding } from './binding';
import { codedError } from './errors';
import { checkPort, checkString, invalidArgValue } from './validate';

export type Family = 'IPv4' | 'IPv6';

export interface SockAddr {
  address: string;
  port: number;
  family: Family;
  flowinfo?: number;
  scopeId?: number;
}

/**
 * A SockAddr from its parts (family 4 or 6): for UDP senders, and for
 * native/sockaddr.h (getsockname, getpeername, dns, interfaces). A literal
 * costs far less than N-API property sets.
 */
export function sockAddr(address: string, port: number, family: number, flowinfo: number, scopeId: number): SockAddr {
  return family === 4 ? { address, port, family: 'IPv4' } : { address, port, family: 'IPv6', flowinfo, scopeId };
}

binding.setCallbacks({ makeSockAddr: sockAddr });

export function checkFamily(value: unknown): Family | undefined {
  if (value === undefined || value === 'IPv4' || value === 'IPv6') return value;
  throw invalidArgValue('family', value, "must be 'IPv4' or 'IPv6'");
}

/**
 * A numeric IPv4/IPv6 ip and a port. '' is the wildcard of `family`
 * (0.0.0.0, or :: for IPv6), '<broadcast>' is 255.255.255.255.
 */
export function checkAddress(ip: unknown, port: unknown, family?: Family): [string, number] {
  checkString(ip, 'ip');
  const p = checkPort(port);
  if (ip === '') return [family === 'IPv6' ? '::' : '0.0.0.0', p];
  if (ip === '<broadcast>') return ['255.255.255.255', p];
  return [checkIP(ip), p];
}

/** A numeric IPv4 or IPv6 address (ERR_INVALID_IP_ADDRESS otherwise, as Node's). */
export function checkIP(value: unknown, name = 'ip'): string {
  checkString(value, name);
  if (isIP(value as string) === 0) throw codedError(TypeError, 'ERR_INVALID_IP_ADDRESS', `Invalid IP address: ${value}`);
  return value as string;
}
