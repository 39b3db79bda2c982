// Argument checks: wrong types throw TypeError, wrong values RangeError,
// before anything reaches libuv.
import { binding } from './binding';

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

export function checkFunction(value: unknown, name: string): asserts value is Function {
  if (typeof value !== 'function') {
    throw new TypeError(`${name} must be a function, got ${describe(value)}`);
  }
}

export function checkOptionalFunction(value: unknown, name: string): void {
  if (value !== undefined && value !== null) checkFunction(value, name);
}

export function checkBoolean(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`${name} must be a boolean, got ${describe(value)}`);
  }
}

export function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** A duration in ms: a finite number >= 0, truncated to whole ms as libuv keeps them. */
export function checkMs(value: unknown, name: string): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number of milliseconds, got ${describe(value)}`);
  }
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  }
  return Math.trunc(value);
}

export function checkOneOf(value: unknown, name: string, allowed: readonly number[]): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number, got ${describe(value)}`);
  }
  if (!allowed.includes(value)) {
    throw new RangeError(`${name} must be one of ${allowed.join(', ')}, got ${value}`);
  }
  return value;
}

/** A signal as a number (1..64) or a name ('SIGUSR1'). */
export function checkSignal(value: unknown, name = 'signum'): number {
  if (typeof value === 'string') {
    const num = binding.signals[value];
    if (num === undefined) throw new TypeError(`${name}: unknown signal name '${value}'`);
    return num;
  }
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a signal number or name, got ${describe(value)}`);
  }
  return checkInteger(value, name, 1, 64);
}

/** A filesystem path: a string without NUL bytes (C would cut it there). */
export function checkPath(value: unknown, name = 'path'): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${describe(value)}`);
  if (value.includes('\0')) throw new TypeError(`${name} must not contain NUL bytes`);
  return value;
}

/** Data in: Buffer | Uint8Array | string (UTF-8), or a non-empty array of those (one vectored write). */
export type Data = Uint8Array | string | ReadonlyArray<Uint8Array | string>;

/** Data as the native layer takes it: a Uint8Array, or a new array of them. */
export function checkData(value: unknown, name = 'data'): Uint8Array | Uint8Array[] {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Array.isArray(value)) {
    if (value.length === 0) throw new RangeError(`${name} must not be an empty array`);
    const out: Uint8Array[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item instanceof Uint8Array) out[i] = item;
      else if (typeof item === 'string') out[i] = Buffer.from(item, 'utf8');
      else throw new TypeError(`${name}[${i}] must be a Buffer, Uint8Array or string, got ${describe(item)}`);
    }
    return out;
  }
  throw new TypeError(`${name} must be a Buffer, Uint8Array, string or an array of them, got ${describe(value)}`);
}
