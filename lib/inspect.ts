// How uvkit's objects show in util.inspect / console.log: the class name and
// a few facts (state, fd, addresses, path, pid), never internals.
import { inspect } from 'util';

export type Facts = Record<string, unknown>;

/**
 * The text of `[util.inspect.custom]`: `Name { fact: value, … }`, the facts
 * formatted with the caller's options (colors, depth).
 */
export function inspectAs(name: string, facts: Facts, depth: number, options: object, inspectFn?: Function): string {
  const opts = options as { depth?: number | null; stylize?: (s: string, style: string) => string };
  if (depth < 0) return opts.stylize ? opts.stylize(`[${name}]`, 'special') : `[${name}]`;
  const fn = (inspectFn ?? inspect) as typeof inspect;
  const inner = { ...opts, depth: opts.depth === null || opts.depth === undefined ? opts.depth : opts.depth - 1 };
  return `${name} ${fn(facts, inner as object)}`;
}

/** An address as one string: '127.0.0.1:8000', '[::1]:8000'. */
export function showAddress(addr: { address: string; port: number; family: string }): string {
  return addr.family === 'IPv6' ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`;
}

/**
 * A socket's facts (TCP, UDP): its family and its local and remote addresses
 * where it has them.
 */
export function addSocketFacts(
  facts: Facts,
  family: string | null,
  native: { _$getsockname(): { address: string; port: number; family: string }; _$getpeername(): { address: string; port: number; family: string } },
): Facts {
  if (family !== null) facts.family = family;
  for (const [key, fn] of [['local', '_$getsockname'], ['remote', '_$getpeername']] as const) {
    try {
      facts[key] = showAddress(native[fn]());
    } catch {
      // not bound or not connected
    }
  }
  return facts;
}
