// Argument checks, shared by every class: wrong types throw TypeError,
// wrong values RangeError (or TypeError where Node uses one), before
// anything reaches libuv, with the codes and messages of Node's own
// validators (lib/internal/validators.js, lib/internal/errors.js):
//   The "port" argument must be of type number. Received type string ('80')
//   The value of "timeout" is out of range. It must be >= 0 && <= 9007199254740991. Received 1e+300
// A name with a dot or a bracket is a property ("options.args[1]").
// Numbers are checked against what libuv can hold; NaN is never one; -0
// comes back as 0; arrays are walked by index, so a hole is an undefined
// entry, never skipped.
import { inspect } from 'util';
import { binding } from './binding';
import { codedError } from './errors';

// ---- Node's error messages ---------------------------------------------------

const kTypes = ['string', 'function', 'number', 'object', 'Function', 'Object', 'boolean', 'bigint', 'symbol'];
const classRegExp = /^([A-Z][a-z0-9]*)+$/;

function kind(name: string): string {
  return /[.[]/.test(name) ? 'property' : 'argument';
}

/** What Node says it received ("type number (7)", "an instance of Map", "undefined"). */
export function received(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function' && value.name) return `function ${value.name}`;
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: unknown } }).constructor;
    if (typeof ctor?.name === 'string' && ctor.name !== '') return `an instance of ${ctor.name}`;
    return inspect(value, { depth: -1 });
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `type ${typeof value} (${shown})`;
}

function list(items: string[], joiner: string): string {
  if (items.length > 2) return `${items.slice(0, -1).join(', ')}, ${joiner} ${items[items.length - 1]}`;
  return items.join(` ${joiner} `);
}

/** ERR_INVALID_ARG_TYPE; `expected` as Node writes it: 'number', 'Buffer', 'an array of strings'. */
export function invalidArgType(name: string, expected: string | string[], value: unknown): TypeError {
  const types: string[] = [];
  const instances: string[] = [];
  const other: string[] = [];
  for (const e of Array.isArray(expected) ? expected : [expected]) {
    if (kTypes.includes(e)) types.push(e.toLowerCase());
    else if (classRegExp.test(e)) instances.push(e);
    else other.push(e);
  }
  if (instances.length > 0 && types.includes('object')) {
    types.splice(types.indexOf('object'), 1);
    instances.push('Object');
  }
  let msg = `The "${name}" ${kind(name)} must be `;
  const parts: string[] = [];
  if (types.length > 0) parts.push(types.length === 1 ? `of type ${types[0]}` : `one of type ${list(types, 'or')}`);
  if (instances.length > 0) parts.push(`an instance of ${list(instances, 'or')}`);
  if (other.length > 0) parts.push(other.length === 1 ? other[0] : `one of ${list(other, 'or')}`);
  msg += parts.join(' or ');
  return codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `${msg}. Received ${received(value)}`);
}

/**
 * ERR_INVALID_ARG_VALUE: `The argument 'flags' is invalid. Received 7`. A
 * TypeError, or (as Node's ERR_INVALID_ARG_VALUE.RangeError) a RangeError
 * for a value of the right type outside the values allowed.
 */
export function invalidArgValue(name: string, value: unknown, reason = 'is invalid',
                                Ctor: typeof TypeError | typeof RangeError = TypeError): Error {
  let shown = inspect(value);
  if (shown.length > 128) shown = `${shown.slice(0, 128)}...`;
  return codedError(Ctor, 'ERR_INVALID_ARG_VALUE', `The ${kind(name)} '${name}' ${reason}. Received ${shown}`);
}

/** ERR_OUT_OF_RANGE: `The value of "ttl" is out of range. It must be >= 1 && <= 255. Received 0`. */
export function outOfRange(name: string, range: string, value: unknown): RangeError {
  let shown: string;
  if (Number.isInteger(value) && Math.abs(value as number) > 2 ** 32) {
    shown = String(value).replace(/\B(?=(\d{3})+(?!\d))/g, '_');
  } else {
    shown = inspect(value);
  }
  return codedError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${shown}`);
}

/** ERR_MISSING_ARGS: `The "host" or "port" argument must be specified`. */
export function missingArgs(...names: string[]): TypeError {
  const shown = names.map((n) => `"${n}"`);
  const what = names.length === 1 ? `${shown[0]} argument` : `${list(shown, 'or')} arguments`;
  return codedError(TypeError, 'ERR_MISSING_ARGS', `The ${what} must be specified`);
}

// ---- checks --------------------------------------------------------------------

export function checkFunction(value: unknown, name: string): asserts value is Function {
  if (typeof value !== 'function') throw invalidArgType(name, 'function', value);
}

export function checkOptionalFunction(value: unknown, name: string): void {
  if (value !== undefined && value !== null) checkFunction(value, name);
}

export function checkBoolean(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw invalidArgType(name, 'boolean', value);
}

export function checkString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw invalidArgType(name, 'string', value);
  return value;
}

export function checkObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidArgType(name, 'object', value);
  return value as Record<string, unknown>;
}

export function checkArray(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw invalidArgType(name, 'Array', value);
  return value;
}

/** An integer from min to max (a number, not NaN, not fractional); -0 comes back as 0. */
export function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
  return value + 0;
}

/** An fd: an integer from 0 to 2**31-1. */
export function checkFd(value: unknown, name = 'fd'): number {
  return checkInteger(value, name, 0, 0x7fffffff);
}

/** A port: an integer from 0 to 65535 (ERR_SOCKET_BAD_PORT otherwise, as Node's validatePort). */
export function checkPort(value: unknown, name = 'port'): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw codedError(RangeError, 'ERR_SOCKET_BAD_PORT', `${name} should be >= 0 and < 65536. Received ${received(value)}.`);
  }
  return value + 0;
}

/** The largest number of ms uvkit takes: the integers a number holds exactly (about 285,000 years). */
export const MAX_MS = Number.MAX_SAFE_INTEGER;

/**
 * A duration in ms: a number from 0 to `max` (default MAX_MS; less where
 * libuv keeps fewer bits), truncated to whole ms as libuv keeps them.
 * NaN, Infinity and anything larger throw ERR_OUT_OF_RANGE: nothing is
 * clamped, so a huge timeout can never wrap around to 0.
 */
export function checkMs(value: unknown, name: string, max = MAX_MS): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!(value >= 0 && value <= max)) throw outOfRange(name, `>= 0 && <= ${max}`, value);
  return Math.trunc(value) + 0;
}

/** One of `allowed` (named in the message as `names`, e.g. 'UV_RUN_DEFAULT, UV_RUN_ONCE or UV_RUN_NOWAIT'). */
export function checkOneOf(value: unknown, name: string, allowed: readonly number[], names?: string): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!allowed.includes(value)) {
    throw invalidArgValue(name, value, `must be ${names ?? `one of ${list(allowed.map(String), 'or')}`}`, RangeError);
  }
  return value + 0;
}

/** Node's ERR_INVALID_ARG_VALUE for a string that is not one of `allowed`. */
export function checkChoice<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw invalidArgValue(name, value, `must be one of: ${allowed.map((x) => `'${x}'`).join(', ')}`);
  }
  return value as T;
}

/** Flags: an integer holding no bits outside `mask` (named as `names`). */
export function checkFlags(value: unknown, name: string, mask: number, names: string): number {
  const v = checkInteger(value, name, 0, 0x7fffffff);
  if ((v & ~mask) !== 0) throw invalidArgValue(name, value, `must be a combination of ${names}`, RangeError);
  return v;
}

/** A signal as a number (1..64) or a name ('SIGUSR1'). */
export function checkSignal(value: unknown, name = 'signum', min = 1): number {
  if (typeof value === 'string') {
    const num = binding.signals[value];
    if (num === undefined) throw codedError(TypeError, 'ERR_UNKNOWN_SIGNAL', `Unknown signal: ${value}`);
    return num;
  }
  if (typeof value !== 'number') throw invalidArgType(name, ['number', 'string'], value);
  return checkInteger(value, name, min, 64);
}

/** A filesystem path: a string without NUL bytes (C would cut it there). */
export function checkPath(value: unknown, name = 'path'): string {
  if (typeof value !== 'string') throw invalidArgType(name, 'string', value);
  if (value.includes('\0')) throw invalidArgValue(name, value, 'must be a string without null bytes');
  return value;
}

/** An array of strings without NUL bytes (argv); holes are undefined entries. */
export function checkStrings(value: unknown, name: string): string[] {
  const arr = checkArray(value, name);
  const out: string[] = new Array(arr.length);
  for (let i = 0; i < arr.length; i++) out[i] = checkPath(arr[i], `${name}[${i}]`);
  return out;
}

/** Data in: Buffer | Uint8Array | string (UTF-8), or a non-empty array of those (one vectored write). */
export type Data = Uint8Array | string | ReadonlyArray<Uint8Array | string>;

const DATA_TYPES = ['string', 'Buffer', 'Uint8Array', 'an array of them'];

// libuv's uv_buf_t length is an unsigned int.
function checkPiece(buf: Uint8Array, name: string): Uint8Array {
  if (buf.byteLength > 0xffffffff) throw outOfRange(`${name}.byteLength`, '<= 4294967295', buf.byteLength);
  return buf;
}

/** Data as the native layer takes it: a Uint8Array, or a new array of them (the caller's may change). */
export function checkData(value: unknown, name = 'data'): Uint8Array | Uint8Array[] {
  if (value instanceof Uint8Array) return checkPiece(value, name);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Array.isArray(value)) {
    if (value.length === 0) throw outOfRange(`${name}.length`, '>= 1', 0);
    const out: Uint8Array[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item instanceof Uint8Array) out[i] = checkPiece(item, `${name}[${i}]`);
      else if (typeof item === 'string') out[i] = Buffer.from(item, 'utf8');
      else throw invalidArgType(`${name}[${i}]`, ['string', 'Buffer', 'Uint8Array'], item);
    }
    return out;
  }
  throw invalidArgType(name, DATA_TYPES, value);
}
