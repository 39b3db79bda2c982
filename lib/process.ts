import { binding, NativeHandle } from './binding';
import { ProcessError } from './errors';
import { Handle } from './handle';
import type { Loop } from './loop';
import { checkInteger, checkOptionalFunction, checkPath, checkSignal } from './validate';

const c = binding.constants;
const PIPE_FLAGS = c.UV_READABLE_PIPE | c.UV_WRITABLE_PIPE;
const PROCESS_FLAGS =
  c.UV_PROCESS_SETUID | c.UV_PROCESS_SETGID | c.UV_PROCESS_DETACHED | c.UV_PROCESS_WINDOWS_HIDE |
  c.UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS;

interface NativeProcess extends NativeHandle {
  kill(signum: number): void;
  pid(): number;
}

/**
 * A stream handle (Pipe, TCP, TTY), checked at spawn. Typed structurally
 * because handle classes are not assignable to Handle (their callbacks take
 * `this`).
 */
export interface StdIOStream {
  readonly closed: boolean;
  fileno(): number;
}

export interface StdIOOptions {
  /** A stream handle: a Pipe for UV_CREATE_PIPE; a Pipe, TCP or TTY for UV_INHERIT_STREAM. */
  stream?: StdIOStream;
  /** An fd of this process, for UV_INHERIT_FD. */
  fd?: number;
  /**
   * UV_IGNORE (the child's fd is /dev/null), UV_INHERIT_FD, UV_INHERIT_STREAM,
   * or UV_CREATE_PIPE with UV_READABLE_PIPE and/or UV_WRITABLE_PIPE (the
   * direction as the child sees it).
   */
  flags: number;
}

/** How one fd of a child is set up; its index in `stdio` is the child's fd. */
export class StdIO {
  readonly stream: StdIOStream | null;
  readonly fd: number | null;
  readonly flags: number;

  constructor(opts: StdIOOptions) {
    if (typeof opts !== 'object' || opts === null) throw new TypeError('StdIO options must be an object');
    const flags = checkInteger(opts.flags, 'flags', 0, 0xff);
    const kind = flags & ~PIPE_FLAGS;
    const kinds = [c.UV_IGNORE, c.UV_CREATE_PIPE, c.UV_INHERIT_FD, c.UV_INHERIT_STREAM];
    if (!kinds.includes(kind) || (kind !== c.UV_CREATE_PIPE && (flags & PIPE_FLAGS) !== 0)) {
      throw new RangeError(
        `flags must be UV_IGNORE, UV_INHERIT_FD, UV_INHERIT_STREAM or UV_CREATE_PIPE (with UV_READABLE_PIPE/UV_WRITABLE_PIPE), got ${flags}`,
      );
    }
    this.flags = flags;
    this.fd = kind === c.UV_INHERIT_FD ? checkInteger(opts.fd, 'fd', 0, 0x7fffffff) : null;
    if (kind === c.UV_CREATE_PIPE || kind === c.UV_INHERIT_STREAM) {
      if (!(opts.stream instanceof Handle)) throw new TypeError('stream must be a stream handle (Pipe, TCP, TTY)');
      this.stream = opts.stream as StdIOStream;
    } else {
      this.stream = null;
    }
  }
}

export interface ProcessOptions {
  /** The whole argv; args[0] is the program name the child sees. */
  args: string[];
  /** The executable, looked up on PATH if it has no '/'; defaults to args[0]. */
  file?: string;
  /** Replaces the environment (default: this process's). */
  env?: Record<string, string>;
  cwd?: string;
  /** Run as this user (adds UV_PROCESS_SETUID). */
  uid?: number;
  /** Run with this group (adds UV_PROCESS_SETGID). */
  gid?: number;
  /** UV_PROCESS_* flags, e.g. UV_PROCESS_DETACHED. */
  flags?: number;
  /** The child's fds 0, 1, 2, …; missing ones are UV_IGNORE. */
  stdio?: Array<StdIO | StdIOOptions>;
}

export type ExitCallback<H> = (exitStatus: number, termSignal: number, handle: H) => void;

function checkStrings(value: unknown, name: string): string[] {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array of strings`);
  value.forEach((s, i) => checkPath(s, `${name}[${i}]`));
  return value;
}

function checkEnv(env: unknown): string[] {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    throw new TypeError('env must be an object of strings');
  }
  return Object.entries(env).map(([k, v]) => {
    if (k === '' || k.includes('=') || k.includes('\0')) throw new TypeError(`env: invalid name '${k}'`);
    return `${k}=${checkPath(v, `env.${k}`)}`;
  });
}

function checkStdio(list: unknown): Array<[number, unknown]> {
  if (!Array.isArray(list)) throw new TypeError('stdio must be an array of StdIO');
  return list.map((entry, i) => {
    const s = entry instanceof StdIO ? entry : new StdIO(entry as StdIOOptions);
    if (s.stream !== null) {
      if (s.stream.closed) throw new TypeError(`stdio[${i}].stream is closed`);
      const native = (s.stream as Handle)._native;
      const type = binding.handleType(native);
      const ok = s.flags & c.UV_CREATE_PIPE ? type === c.UV_NAMED_PIPE : [c.UV_NAMED_PIPE, c.UV_TCP, c.UV_TTY].includes(type);
      if (!ok) {
        throw new TypeError(`stdio[${i}].stream must be ${s.flags & c.UV_CREATE_PIPE ? 'a Pipe' : 'a Pipe, TCP or TTY'}`);
      }
      return [s.flags, native];
    }
    return [s.flags, s.fd];
  });
}

function checkKillSignal(signum: unknown): number {
  return typeof signum === 'number' ? checkInteger(signum, 'signum', 0, 64) : checkSignal(signum);
}

/**
 * A child process. `Process.spawn()` (or the constructor, which is the same)
 * starts it; a failure to start (ENOENT, EACCES…) throws ProcessError with
 * the file as `path` and leaves nothing open. `exitCb(exitStatus,
 * termSignal, handle)` runs once when the child ends; the handle stays open
 * until closed. The child is reaped when its loop runs; closing the handle
 * of a running child neither kills it nor leaves a zombie.
 */
export class Process extends Handle<NativeProcess> {
  static override errorClass = ProcessError;
  private _exitCallback: ExitCallback<this> | null;

  constructor(loop: Loop | undefined, options: ProcessOptions, exitCb?: ExitCallback<Process>) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    const args = checkStrings(options.args, 'args');
    if (args.length === 0) throw new RangeError('args must hold at least the program name');
    const file = options.file === undefined ? args[0] : checkPath(options.file, 'file');
    const env = options.env === undefined ? undefined : checkEnv(options.env);
    const cwd = options.cwd === undefined ? undefined : checkPath(options.cwd, 'cwd');
    let flags = options.flags === undefined ? 0 : checkInteger(options.flags, 'flags', 0, 0xff);
    if ((flags & ~PROCESS_FLAGS) !== 0) throw new RangeError(`flags must be UV_PROCESS_* flags, got ${flags}`);
    const uid = options.uid === undefined ? 0 : checkInteger(options.uid, 'uid', 0, 0xffffffff);
    const gid = options.gid === undefined ? 0 : checkInteger(options.gid, 'gid', 0, 0xffffffff);
    if (options.uid !== undefined) flags |= c.UV_PROCESS_SETUID;
    if (options.gid !== undefined) flags |= c.UV_PROCESS_SETGID;
    if (flags & c.UV_PROCESS_SETUID && options.uid === undefined) throw new TypeError('UV_PROCESS_SETUID needs uid');
    if (flags & c.UV_PROCESS_SETGID && options.gid === undefined) throw new TypeError('UV_PROCESS_SETGID needs gid');
    const stdio = options.stdio === undefined ? [] : checkStdio(options.stdio);
    checkOptionalFunction(exitCb, 'exitCb');
    try {
      super(loop, binding.Process, file, args, env, cwd, flags, uid, gid, stdio);
    } catch (err) {
      // Name the file that could not be run, as fs errors name their path.
      if (err instanceof ProcessError && err.syscall === 'spawn') {
        throw new (new.target as typeof Process).errorClass(err.errno, 'spawn', file);
      }
      throw err;
    }
    this._exitCallback = (exitCb as ExitCallback<this>) ?? null;
  }

  /** Starts a child process; see the class. */
  static spawn<P extends Process>(
    this: new (loop: Loop | undefined, options: ProcessOptions, exitCb?: ExitCallback<P>) => P,
    loop: Loop | undefined,
    options: ProcessOptions,
    exitCb?: ExitCallback<P>,
  ): P {
    return new this(loop, options, exitCb);
  }

  /** Sends a signal (number or name; 0 checks the child exists). ProcessError ESRCH once it has exited. */
  kill(signum: number | string): void {
    const n = this._n;
    n.kill(checkKillSignal(signum));
  }

  /** The child's pid (kept after exit and close). */
  get pid(): number {
    return this._native.pid();
  }

  /**
   * Marks the fds this process inherited (0, 1, 2 and any others) close-on-exec,
   * so children get only what `stdio` gives them. Call it early; it cannot be undone.
   */
  static disableStdioInheritance(): void {
    binding.disableStdioInheritance();
  }

  static {
    binding.setCallbacks({
      onProcessExit(this: Process, exitStatus: number, termSignal: number) {
        const cb = this._exitCallback;
        if (cb !== null) cb.call(null, exitStatus, termSignal, this);
      },
    });
  }
}

/** Sends a signal (number or name; 0 only checks) to any process; UVError (syscall 'kill') on failure. */
export function kill(pid: number, signum: number | string): void {
  const p = checkInteger(pid, 'pid', -0x80000000, 0x7fffffff);
  binding.kill(p, checkKillSignal(signum));
}
