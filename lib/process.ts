import { binding, NativeHandle } from './binding';
import { HandleError } from './errors';
import { Handle, WrappedHandle, withNative } from './handle';
import type { Loop } from './loop';
import { Facts } from './inspect';
import {
  checkArray, checkFd, checkFlags, checkInteger, checkObject, checkOptionalFunction, checkPath, checkSignal, checkStrings,
  invalidArgType, invalidArgValue, outOfRange,
} from './validate';

const c = binding.constants;
const PIPE_FLAGS = c.UV_READABLE_PIPE | c.UV_WRITABLE_PIPE;
const PROCESS_FLAGS =
  c.UV_PROCESS_SETUID | c.UV_PROCESS_SETGID | c.UV_PROCESS_DETACHED | c.UV_PROCESS_WINDOWS_HIDE |
  c.UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS;

interface NativeProcess extends NativeHandle {
  _$kill(signum: number): void;
  _$pid(): number;
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
    StdIO._check(opts, 'opts');
    this.flags = opts.flags;
    this.fd = opts.fd ?? null;
    this.stream = opts.stream ?? null;
  }

  /** @internal Checks StdIO options (`name`: how to call them in errors); returns them. */
  static _check(opts: unknown, name: string): StdIOOptions {
    const o = checkObject(opts, name);
    const flags = checkInteger(o.flags, `${name}.flags`, 0, 0xff);
    const kind = flags & ~PIPE_FLAGS;
    const kinds = [c.UV_IGNORE, c.UV_CREATE_PIPE, c.UV_INHERIT_FD, c.UV_INHERIT_STREAM];
    if (!kinds.includes(kind) || (kind !== c.UV_CREATE_PIPE && (flags & PIPE_FLAGS) !== 0)) {
      throw invalidArgValue(`${name}.flags`, flags,
        'must be UV_IGNORE, UV_INHERIT_FD, UV_INHERIT_STREAM or UV_CREATE_PIPE (with UV_READABLE_PIPE/UV_WRITABLE_PIPE)',
        RangeError);
    }
    const fd = kind === c.UV_INHERIT_FD ? checkFd(o.fd, `${name}.fd`) : undefined;
    let stream: StdIOStream | undefined;
    if (kind === c.UV_CREATE_PIPE || kind === c.UV_INHERIT_STREAM) {
      if (!(o.stream instanceof Handle)) {
        throw invalidArgType(`${name}.stream`, kind === c.UV_CREATE_PIPE ? 'Pipe' : ['Pipe', 'TCP', 'TTY'], o.stream);
      }
      stream = o.stream as StdIOStream;
    }
    return { flags, fd, stream };
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
  /** The child's fds 0, 1, 2, …; missing ones (past the end, holes, undefined, null) are UV_IGNORE. */
  stdio?: Array<StdIO | StdIOOptions>;
}

export type ExitCallback<H> = (exitStatus: number, termSignal: number, handle: H) => void;

function checkEnv(env: unknown): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(checkObject(env, 'options.env'))) {
    if (k === '' || k.includes('=') || k.includes('\0')) {
      throw invalidArgValue('options.env', k, 'must not have a name that is empty or holds = or a null byte');
    }
    out.push(`${k}=${checkPath(v, `options.env.${k}`)}`);
  }
  return out;
}

const IGNORE: [number, unknown] = [c.UV_IGNORE, undefined];

// [flags, native stream | fd] per child fd. Holes, undefined and null are
// UV_IGNORE, as are the fds past the end of the array.
function checkStdio(list: unknown): Array<[number, unknown]> {
  const arr = checkArray(list, 'options.stdio');
  const out: Array<[number, unknown]> = new Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const entry: unknown = arr[i];
    const name = `options.stdio[${i}]`;
    if (entry === undefined || entry === null) {
      out[i] = IGNORE;
      continue;
    }
    const s = entry instanceof StdIO ? entry : StdIO._check(entry, name);
    if (s.stream === null || s.stream === undefined) {
      out[i] = [s.flags, s.fd ?? undefined];
      continue;
    }
    if (s.stream.closed) throw invalidArgValue(`${name}.stream`, s.stream, 'is closed');
    const native = (s.stream as WrappedHandle)._native;
    const type = binding.handleType(native);
    const pipe = (s.flags & c.UV_CREATE_PIPE) !== 0;
    if (pipe ? type !== c.UV_NAMED_PIPE : ![c.UV_NAMED_PIPE, c.UV_TCP, c.UV_TTY].includes(type)) {
      throw invalidArgType(`${name}.stream`, pipe ? 'Pipe' : ['Pipe', 'TCP', 'TTY'], s.stream);
    }
    out[i] = [s.flags, native];
  }
  return out;
}

function checkKillSignal(signum: unknown): number {
  return checkSignal(signum, 'signum', 0);
}

/** A libuv failure of a Process; a failure to start names the file as `path`. */
export class ProcessError extends HandleError {}

/**
 * A child process. `Process.spawn()` (or the constructor, which is the same)
 * starts it; a failure to start (ENOENT, EACCES…) throws ProcessError with
 * the file as `path` and leaves nothing open. `exitCb(exitStatus,
 * termSignal, handle)` runs once when the child ends; the handle stays open
 * until closed. The child is reaped when its loop runs; closing the handle
 * of a running child neither kills it nor leaves a zombie.
 */
export class Process extends WrappedHandle<NativeProcess> {
  static override errorClass = ProcessError;
  private _exitCallback: ExitCallback<this> | null;

  constructor(loop: Loop | undefined, options: ProcessOptions, exitCb?: ExitCallback<Process>) {
    checkObject(options, 'options');
    const args = checkStrings(options.args, 'options.args');
    if (args.length === 0) throw outOfRange('options.args.length', '>= 1 (the program)', 0);
    const file = options.file === undefined ? args[0] : checkPath(options.file, 'options.file');
    const env = options.env === undefined ? undefined : checkEnv(options.env);
    const cwd = options.cwd === undefined ? undefined : checkPath(options.cwd, 'options.cwd');
    let flags = options.flags === undefined ? 0 : checkFlags(options.flags, 'options.flags', PROCESS_FLAGS, 'UV_PROCESS_* flags');
    const uid = options.uid === undefined ? 0 : checkInteger(options.uid, 'options.uid', 0, 0xffffffff);
    const gid = options.gid === undefined ? 0 : checkInteger(options.gid, 'options.gid', 0, 0xffffffff);
    if (flags & c.UV_PROCESS_SETUID && options.uid === undefined) {
      throw invalidArgValue('options.flags', flags, 'has UV_PROCESS_SETUID, which needs options.uid');
    }
    if (flags & c.UV_PROCESS_SETGID && options.gid === undefined) {
      throw invalidArgValue('options.flags', flags, 'has UV_PROCESS_SETGID, which needs options.gid');
    }
    if (options.uid !== undefined) flags |= c.UV_PROCESS_SETUID;
    if (options.gid !== undefined) flags |= c.UV_PROCESS_SETGID;
    const stdio = options.stdio === undefined ? [] : checkStdio(options.stdio);
    checkOptionalFunction(exitCb, 'exitCb');
    super(loop, binding.Process, file, args, env, cwd, flags, uid, gid, stdio);
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
    const n = this._use('kill');
    n._$kill(checkKillSignal(signum));
  }

  /** The child's pid (kept after exit and close). */
  get pid(): number {
    return this._native._$pid();
  }

  /** @internal */
  override _facts(): Facts {
    return { pid: this.pid };
  }

  /**
   * Marks the fds this process inherited (0, 1, 2 and any others) close-on-exec,
   * so children get only what `stdio` gives them. Call it early; it cannot be undone.
   */
  static disableStdioInheritance(): void {
    binding.disableStdioInheritance();
  }

  static {
    withNative(this, binding.Process);
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
