// What the fs functions (lib/fs.ts) share: FSError, the FSRequest of a
// queued call and how its native result becomes the callback's, the Dir of
// opendir(), and the types of results.
import { inspect } from 'util';
import { binding } from './binding';
import { UVError } from './errors';
import { Facts, inspectAs } from './inspect';
import type { Loop } from './loop';
import { statResult, statValues } from './stat';

/** A failed fs call: `path` (and `dest` for two-path calls) name the files. */
export class FSError extends UVError {}

/** libuv's uv_statfs_t, named as Node's fs.statfs names it. */
export interface StatFs {
  type: number;
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  /** The fragment size, where `features.statfsFrsize` (libuv 1.52); absent otherwise. */
  frsize?: number;
}

/** A directory entry; `type` is a UV_DIRENT_* constant. */
export interface DirEntry {
  name: string;
  type: number;
}

export type FSCallback<R> = (err: FSError | null, result: R, req: FSRequest) => void;

/** How many entries one readdir() call returns at most. */
export const DIR_ENTRIES: number = binding.fsDirEntries;

/** @internal The statfs result native wrote into the stat array. */
export function statfsResult(): StatFs {
  const a = statValues;
  const r: StatFs = { type: a[0], bsize: a[1], blocks: a[2], bfree: a[3], bavail: a[4], files: a[5], ffree: a[6] };
  if (a[7] >= 0) r.frsize = a[7];
  return r;
}

/** @internal Native lists entries flat ([name, type, ...]); objects are made here. */
export function entries(flat: (string | number)[]): DirEntry[] {
  const n = flat.length >>> 1;
  const out: DirEntry[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { name: flat[2 * i] as string, type: flat[2 * i + 1] as number };
  return out;
}

/** @internal The bytes of `buf` that a read of `n` filled. */
export function readResult(buf: Buffer, n: number): Buffer {
  if (n === buf.length) return buf;
  // A short read of a large buffer keeps only what was read.
  if (buf.length > 8192 && n < buf.length >>> 1) return Buffer.from(buf.subarray(0, n));
  return buf.subarray(0, n);
}

/** @internal How a completed request turns the native result into the callback's. */
export enum Kind {
  Value,
  None,
  Stat,
  StatFs,
  Read,
  Entries,
  Opendir,
  Readdir,
  Closedir,
}

/**
 * A directory opened by opendir(), read in batches of up to DIR_ENTRIES
 * entries by readdir(). Close it with closedir(); one left open is closed
 * when it is garbage collected. One operation at a time: another readdir()
 * or closedir() while one is queued throws ERR_DIR_CONCURRENT_OPERATION,
 * any use after closedir() throws ERR_DIR_CLOSED.
 */
export class Dir {
  readonly path: string;
  /** @internal the native directory; null once closed */
  _ext: object | null;
  /** @internal a readdir or closedir is queued */
  _busy = false;

  /** @internal */
  constructor(ext: object, path: string) {
    this._ext = ext;
    this.path = path;
  }

  get closed(): boolean {
    return this._ext === null;
  }

  [inspect.custom](depth: number, options: object, fn?: Function): string {
    return inspectAs('Dir', { path: this.path, closed: this.closed }, depth, options, fn);
  }
}

/**
 * A queued fs call. The loop stays alive and the request (with its callback
 * and the buffers it uses) is kept until the callback has run.
 */
export class FSRequest {
  /**
   * The class of the errors of fs calls, queued or not: native is given an
   * FSRequest (queued) or this class itself (synchronous) to make them.
   */
  static errorClass = FSError;

  /** The (first) path the request concerns; null for calls on an fd. */
  readonly path: string | null;
  /** Free for the user. */
  data: unknown = undefined;
  /** @internal the native request, null once done or cancelled */
  _ext: object | null = null;
  /** @internal */
  _cb: FSCallback<any> | null;
  /** @internal */
  readonly _kind: Kind;
  /** @internal */
  readonly _syscall: string;
  /** @internal */
  readonly _dest: string | undefined;
  /** @internal what libuv works on (a buffer, the data written, a Dir) */
  _arg: unknown;
  /** @internal */
  readonly _loop: Loop;

  /** @internal */
  constructor(loop: Loop, cb: FSCallback<any>, kind: Kind, syscall: string, path: string | null,
              dest: string | undefined, arg: unknown) {
    this._loop = loop;
    this._cb = cb;
    this._kind = kind;
    this._syscall = syscall;
    this.path = path;
    this._dest = dest;
    this._arg = arg;
  }

  get loop(): Loop {
    return this._loop;
  }

  [inspect.custom](depth: number, options: object, fn?: Function): string {
    const facts: Facts = { syscall: this._syscall };
    if (this.path !== null) facts.path = this.path;
    if (this._dest !== undefined) facts.dest = this._dest;
    facts.done = this._cb === null;
    return inspectAs('FSRequest', facts, depth, options, fn);
  }

  /**
   * Cancels the request if no threadpool thread has started it yet: its
   * callback then gets FSError ECANCELED. False if it is running or done,
   * and for calls libuv hands to io_uring instead of its threadpool (only
   * with UV_USE_IO_URING=1 in the environment).
   */
  cancel(): boolean {
    const ext = this._ext;
    if (ext === null || !binding.fsCancel(ext)) return false;
    this._ext = null;
    return true;
  }

  static {
    binding.setCallbacks({
      onFSDone(this: FSRequest, err: FSError | null, value: unknown) {
        const cb = this._cb!;
        const arg = this._arg;
        this._ext = null;
        this._cb = null;
        this._arg = undefined;
        if (arg instanceof Dir) {
          arg._busy = false;
          if (this._kind === Kind.Closedir && err === null) arg._ext = null;
        }
        if (err !== null) {
          cb.call(null, err, undefined, this);
          return;
        }
        let result: unknown;
        switch (this._kind) {
          case Kind.Value: result = value; break;
          case Kind.None: case Kind.Closedir: result = undefined; break;
          case Kind.Stat: result = statResult(0); break;
          case Kind.StatFs: result = statfsResult(); break;
          case Kind.Read: result = readResult(arg as Buffer, value as number); break;
          case Kind.Entries: case Kind.Readdir: result = entries(value as (string | number)[]); break;
          case Kind.Opendir: result = new Dir(value as object, this.path!); break;
        }
        cb.call(null, null, result, this);
      },
    });
  }
}

/** @internal A queued call's request. */
export function request(loop: Loop, cb: unknown, kind: Kind, syscall: string, path: string | null,
                        dest?: string, arg?: unknown): FSRequest {
  return new FSRequest(loop, cb as FSCallback<any>, kind, syscall, path, dest, arg);
}

/**
 * @internal What a synchronous call passes native in place of a request:
 * the FSRequest class, whose `errorClass` makes its error an FSError.
 */
export const SYNC = FSRequest;
