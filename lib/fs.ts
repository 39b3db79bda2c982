// libuv's file system calls, run on a uvkit loop. Every function takes the
// loop first and an optional callback last. Without a callback the call runs
// synchronously on the calling thread and returns its result or throws
// FSError. With one it goes to libuv's threadpool (shared with Node's), returns
// an FSRequest at once, keeps the loop alive, and calls
// `cb(err, result, req)` from the loop (result is undefined on error and for
// calls with no result).
//
// Optional arguments may be omitted (also before a callback), or be
// undefined or null for their default.
//
// Paths are strings (UTF-8); names read from the disk are decoded as UTF-8.
import { binding } from './binding';
import { codedError } from './errors';
import { needFeature } from './features';
import {
  Dir, DirEntry, FSCallback, FSError, FSRequest, Kind, StatFs, SYNC, entries, readResult, request, statfsResult,
} from './fs_request';
import { Loop, loopArg } from './loop';
import { Stat, statResult } from './stat';
import { checkData, checkFd, checkFunction, checkInteger, checkPath, invalidArgType, outOfRange } from './validate';

export { DIR_ENTRIES, Dir, FSRequest } from './fs_request';
export type { DirEntry, FSCallback, StatFs } from './fs_request';
export type { Stat };

/** The loop argument: a Loop, or undefined for the thread's default loop. */
export type LoopArg = Loop | undefined;

// ---- argument checks ---------------------------------------------------------

const MAX_FD = 0x7fffffff;
const MAX_MODE = 0o7777;
const MAX_LEN = Number.MAX_SAFE_INTEGER;

function checkCallback(cb: unknown): boolean {
  if (cb === undefined || cb === null) return false;
  checkFunction(cb, 'callback');
  return true;
}

function checkId(value: unknown, name: string): number {
  return checkInteger(value, name, -1, 0xffffffff) >>> 0; // -1: leave unchanged
}

/** The times a Date can hold, in ms from the epoch: libuv's timespec holds them all. */
const MAX_TIME = 8.64e15;

/** For utime/futime/lutime: set this time to the current time (`features.fsUtimeNowOmit`, libuv 1.51). */
export const UTIME_NOW: unique symbol = Symbol('uvkit.fs.UTIME_NOW');
/** For utime/futime/lutime: leave this time as it is (`features.fsUtimeNowOmit`, libuv 1.51). */
export const UTIME_OMIT: unique symbol = Symbol('uvkit.fs.UTIME_OMIT');
/** A time for utime, futime and lutime: ms from the epoch, a Date, UTIME_NOW or UTIME_OMIT. */
export type FileTime = number | Date | typeof UTIME_NOW | typeof UTIME_OMIT;

/**
 * A time in ms (a number or a Date) as libuv's seconds; UTIME_NOW and
 * UTIME_OMIT as libuv's UV_FS_UTIME_NOW (infinity) and UV_FS_UTIME_OMIT (NaN).
 */
function checkTime(value: unknown, name: string, syscall: string): number {
  if (value === UTIME_NOW || value === UTIME_OMIT) {
    needFeature('fsUtimeNowOmit', syscall, FSError);
    return value === UTIME_NOW ? Infinity : NaN;
  }
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number') throw invalidArgType(name, ['number', 'Date'], value);
  if (!(ms >= -MAX_TIME && ms <= MAX_TIME)) throw outOfRange(name, `>= ${-MAX_TIME} && <= ${MAX_TIME}`, ms);
  return (ms + 0) / 1000;
}

function checkDir(dir: unknown): Dir {
  if (!(dir instanceof Dir)) throw invalidArgType('dir', 'Dir', dir);
  if (dir._ext === null) throw codedError(Error, 'ERR_DIR_CLOSED', 'Directory handle was closed');
  if (dir._busy) {
    throw codedError(Error, 'ERR_DIR_CONCURRENT_OPERATION',
      'Cannot start an operation on a directory handle while another one is in progress');
  }
  return dir;
}

// ---- the functions ----------------------------------------------------------

export function stat(loop: LoopArg, path: string): Stat;
export function stat(loop: LoopArg, path: string, cb: FSCallback<Stat>): FSRequest;
export function stat(loop: LoopArg, path: string, cb?: FSCallback<Stat>): Stat | FSRequest {
  const l = loopArg(loop);
  checkPath(path);
  if (!checkCallback(cb)) {
    binding.fsStat(l._native, SYNC, path);
    return statResult(0);
  }
  const req = request(l, cb, Kind.Stat, 'stat', path);
  req._ext = binding.fsStat(l._native, req, path);
  return req;
}

export function lstat(loop: LoopArg, path: string): Stat;
export function lstat(loop: LoopArg, path: string, cb: FSCallback<Stat>): FSRequest;
export function lstat(loop: LoopArg, path: string, cb?: FSCallback<Stat>): Stat | FSRequest {
  const l = loopArg(loop);
  checkPath(path);
  if (!checkCallback(cb)) {
    binding.fsLstat(l._native, SYNC, path);
    return statResult(0);
  }
  const req = request(l, cb, Kind.Stat, 'lstat', path);
  req._ext = binding.fsLstat(l._native, req, path);
  return req;
}

export function fstat(loop: LoopArg, fd: number): Stat;
export function fstat(loop: LoopArg, fd: number, cb: FSCallback<Stat>): FSRequest;
export function fstat(loop: LoopArg, fd: number, cb?: FSCallback<Stat>): Stat | FSRequest {
  const l = loopArg(loop);
  checkFd(fd);
  if (!checkCallback(cb)) {
    binding.fsFstat(l._native, SYNC, fd);
    return statResult(0);
  }
  const req = request(l, cb, Kind.Stat, 'fstat', null);
  req._ext = binding.fsFstat(l._native, req, fd);
  return req;
}

export function statfs(loop: LoopArg, path: string): StatFs;
export function statfs(loop: LoopArg, path: string, cb: FSCallback<StatFs>): FSRequest;
export function statfs(loop: LoopArg, path: string, cb?: FSCallback<StatFs>): StatFs | FSRequest {
  const l = loopArg(loop);
  checkPath(path);
  if (!checkCallback(cb)) {
    binding.fsStatfs(l._native, SYNC, path);
    return statfsResult();
  }
  const req = request(l, cb, Kind.StatFs, 'statfs', path);
  req._ext = binding.fsStatfs(l._native, req, path);
  return req;
}

/** Opens a file; `flags` (default O_RDONLY) and `mode` (default 0o666) as Node's fs.constants. */
export function open(loop: LoopArg, path: string, flags?: number | null, mode?: number | null): number;
export function open(loop: LoopArg, path: string, cb: FSCallback<number>): FSRequest;
export function open(loop: LoopArg, path: string, flags: number | null | undefined, cb: FSCallback<number>): FSRequest;
export function open(loop: LoopArg, path: string, flags: number | null | undefined, mode: number | null | undefined,
                     cb: FSCallback<number>): FSRequest;
export function open(loop: LoopArg, path: string, flags?: unknown, mode?: unknown, cb?: unknown): number | FSRequest {
  if (typeof flags === 'function') {
    cb = flags;
    flags = mode = undefined;
  } else if (typeof mode === 'function') {
    cb = mode;
    mode = undefined;
  }
  const l = loopArg(loop);
  checkPath(path);
  const f = flags == null ? 0 : checkInteger(flags, 'flags', 0, 0x7fffffff);
  const m = mode == null ? 0o666 : checkInteger(mode, 'mode', 0, MAX_MODE);
  if (!checkCallback(cb)) return binding.fsOpen(l._native, SYNC, path, f, m);
  const req = request(l, cb, Kind.Value, 'open', path);
  req._ext = binding.fsOpen(l._native, req, path, f, m);
  return req;
}

export function close(loop: LoopArg, fd: number): void;
export function close(loop: LoopArg, fd: number, cb: FSCallback<undefined>): FSRequest;
export function close(loop: LoopArg, fd: number, cb?: FSCallback<undefined>): void | FSRequest {
  return fdCall(loop, fd, cb, 'close', binding.fsClose);
}

/**
 * Reads up to `length` bytes at `offset` (-1, the default: the current
 * position, which then advances). The result is a Buffer of the bytes read,
 * empty at end of file.
 */
export function read(loop: LoopArg, fd: number, length: number, offset?: number | null): Buffer;
export function read(loop: LoopArg, fd: number, length: number, cb: FSCallback<Buffer>): FSRequest;
export function read(loop: LoopArg, fd: number, length: number, offset: number | null | undefined,
                     cb: FSCallback<Buffer>): FSRequest;
export function read(loop: LoopArg, fd: number, length: number, offset?: unknown, cb?: unknown): Buffer | FSRequest {
  if (typeof offset === 'function') {
    cb = offset;
    offset = undefined;
  }
  const l = loopArg(loop);
  checkFd(fd);
  checkInteger(length, 'length', 0, 0x7fffffff);
  const off = offset == null ? -1 : checkInteger(offset, 'offset', -1, MAX_LEN);
  const buf = Buffer.allocUnsafe(length);
  if (!checkCallback(cb)) return readResult(buf, binding.fsRead(l._native, SYNC, fd, buf, off));
  const req = request(l, cb, Kind.Read, 'read', null, undefined, buf);
  req._ext = binding.fsRead(l._native, req, fd, buf, off);
  return req;
}

/**
 * Writes `data` (a Buffer, Uint8Array, string, or an array of those as one
 * vectored write) at `offset` (-1, the default: the current position).
 * The result is the number of bytes written.
 */
export function write(loop: LoopArg, fd: number, data: Data, offset?: number | null): number;
export function write(loop: LoopArg, fd: number, data: Data, cb: FSCallback<number>): FSRequest;
export function write(loop: LoopArg, fd: number, data: Data, offset: number | null | undefined,
                      cb: FSCallback<number>): FSRequest;
export function write(loop: LoopArg, fd: number, data: Data, offset?: unknown, cb?: unknown): number | FSRequest {
  if (typeof offset === 'function') {
    cb = offset;
    offset = undefined;
  }
  const l = loopArg(loop);
  checkFd(fd);
  const bufs = checkData(data);
  const off = offset == null ? -1 : checkInteger(offset, 'offset', -1, MAX_LEN);
  if (!checkCallback(cb)) return binding.fsWrite(l._native, SYNC, fd, bufs, off);
  const req = request(l, cb, Kind.Value, 'write', null, undefined, bufs);
  req._ext = binding.fsWrite(l._native, req, fd, bufs, off);
  return req;
}

/** What write() accepts. */
export type Data = Buffer | Uint8Array | string | (Buffer | Uint8Array | string)[];

export function unlink(loop: LoopArg, path: string): void;
export function unlink(loop: LoopArg, path: string, cb: FSCallback<undefined>): FSRequest;
export function unlink(loop: LoopArg, path: string, cb?: FSCallback<undefined>): void | FSRequest {
  return pathCall(loop, path, cb, 'unlink', binding.fsUnlink, Kind.None);
}

/** Makes a directory; `mode` defaults to 0o777 (less the umask). */
export function mkdir(loop: LoopArg, path: string, mode?: number | null): void;
export function mkdir(loop: LoopArg, path: string, cb: FSCallback<undefined>): FSRequest;
export function mkdir(loop: LoopArg, path: string, mode: number | null | undefined, cb: FSCallback<undefined>): FSRequest;
export function mkdir(loop: LoopArg, path: string, mode?: unknown, cb?: unknown): void | FSRequest {
  if (typeof mode === 'function') {
    cb = mode;
    mode = undefined;
  }
  const m = mode == null ? 0o777 : checkInteger(mode, 'mode', 0, MAX_MODE);
  return pathIntCall(loop, path, m, cb, 'mkdir', binding.fsMkdir);
}

/** Makes a unique directory from `template`, which must end in 'XXXXXX'; the result is its path. */
export function mkdtemp(loop: LoopArg, template: string): string;
export function mkdtemp(loop: LoopArg, template: string, cb: FSCallback<string>): FSRequest;
export function mkdtemp(loop: LoopArg, template: string, cb?: FSCallback<string>): string | FSRequest {
  return pathCall(loop, template, cb, 'mkdtemp', binding.fsMkdtemp, Kind.Value, 'template');
}

/** Creates and opens a unique file from `template` (ending in 'XXXXXX'). */
export function mkstemp(loop: LoopArg, template: string): { path: string; fd: number };
export function mkstemp(loop: LoopArg, template: string, cb: FSCallback<{ path: string; fd: number }>): FSRequest;
export function mkstemp(loop: LoopArg, template: string,
                        cb?: FSCallback<{ path: string; fd: number }>): { path: string; fd: number } | FSRequest {
  return pathCall(loop, template, cb, 'mkstemp', binding.fsMkstemp, Kind.Value, 'template');
}

export function rmdir(loop: LoopArg, path: string): void;
export function rmdir(loop: LoopArg, path: string, cb: FSCallback<undefined>): FSRequest;
export function rmdir(loop: LoopArg, path: string, cb?: FSCallback<undefined>): void | FSRequest {
  return pathCall(loop, path, cb, 'rmdir', binding.fsRmdir, Kind.None);
}

export function rename(loop: LoopArg, path: string, newPath: string): void;
export function rename(loop: LoopArg, path: string, newPath: string, cb: FSCallback<undefined>): FSRequest;
export function rename(loop: LoopArg, path: string, newPath: string, cb?: FSCallback<undefined>): void | FSRequest {
  return twoPathCall(loop, path, newPath, undefined, cb, 'rename', binding.fsRename);
}

export function chmod(loop: LoopArg, path: string, mode: number): void;
export function chmod(loop: LoopArg, path: string, mode: number, cb: FSCallback<undefined>): FSRequest;
export function chmod(loop: LoopArg, path: string, mode: number, cb?: FSCallback<undefined>): void | FSRequest {
  return pathIntCall(loop, path, checkInteger(mode, 'mode', 0, MAX_MODE), cb, 'chmod', binding.fsChmod);
}

export function fchmod(loop: LoopArg, fd: number, mode: number): void;
export function fchmod(loop: LoopArg, fd: number, mode: number, cb: FSCallback<undefined>): FSRequest;
export function fchmod(loop: LoopArg, fd: number, mode: number, cb?: FSCallback<undefined>): void | FSRequest {
  const l = loopArg(loop);
  checkFd(fd);
  checkInteger(mode, 'mode', 0, MAX_MODE);
  if (!checkCallback(cb)) return binding.fsFchmod(l._native, SYNC, fd, mode);
  const req = request(l, cb, Kind.None, 'fchmod', null);
  req._ext = binding.fsFchmod(l._native, req, fd, mode);
  return req;
}

/** Makes `newPath` a hard link to `path`. */
export function link(loop: LoopArg, path: string, newPath: string): void;
export function link(loop: LoopArg, path: string, newPath: string, cb: FSCallback<undefined>): FSRequest;
export function link(loop: LoopArg, path: string, newPath: string, cb?: FSCallback<undefined>): void | FSRequest {
  return twoPathCall(loop, path, newPath, undefined, cb, 'link', binding.fsLink);
}

/** Makes `newPath` a symbolic link to `path`; `flags` UV_FS_SYMLINK_DIR|JUNCTION (Windows only), default 0. */
export function symlink(loop: LoopArg, path: string, newPath: string, flags?: number | null): void;
export function symlink(loop: LoopArg, path: string, newPath: string, cb: FSCallback<undefined>): FSRequest;
export function symlink(loop: LoopArg, path: string, newPath: string, flags: number | null | undefined,
                        cb: FSCallback<undefined>): FSRequest;
export function symlink(loop: LoopArg, path: string, newPath: string, flags?: unknown, cb?: unknown): void | FSRequest {
  if (typeof flags === 'function') {
    cb = flags;
    flags = undefined;
  }
  const f = flags == null ? 0 : checkInteger(flags, 'flags', 0, 3);
  return twoPathCall(loop, path, newPath, f, cb, 'symlink', binding.fsSymlink);
}

export function readlink(loop: LoopArg, path: string): string;
export function readlink(loop: LoopArg, path: string, cb: FSCallback<string>): FSRequest;
export function readlink(loop: LoopArg, path: string, cb?: FSCallback<string>): string | FSRequest {
  return pathCall(loop, path, cb, 'readlink', binding.fsReadlink, Kind.Value);
}

export function realpath(loop: LoopArg, path: string): string;
export function realpath(loop: LoopArg, path: string, cb: FSCallback<string>): FSRequest;
export function realpath(loop: LoopArg, path: string, cb?: FSCallback<string>): string | FSRequest {
  return pathCall(loop, path, cb, 'realpath', binding.fsRealpath, Kind.Value);
}

/** Changes owner and group; -1 leaves one unchanged. */
export function chown(loop: LoopArg, path: string, uid: number, gid: number): void;
export function chown(loop: LoopArg, path: string, uid: number, gid: number, cb: FSCallback<undefined>): FSRequest;
export function chown(loop: LoopArg, path: string, uid: number, gid: number,
                      cb?: FSCallback<undefined>): void | FSRequest {
  return ownerCall(loop, path, uid, gid, cb, 'chown', binding.fsChown);
}

export function fchown(loop: LoopArg, fd: number, uid: number, gid: number): void;
export function fchown(loop: LoopArg, fd: number, uid: number, gid: number, cb: FSCallback<undefined>): FSRequest;
export function fchown(loop: LoopArg, fd: number, uid: number, gid: number,
                       cb?: FSCallback<undefined>): void | FSRequest {
  const l = loopArg(loop);
  checkFd(fd);
  const u = checkId(uid, 'uid');
  const g = checkId(gid, 'gid');
  if (!checkCallback(cb)) return binding.fsFchown(l._native, SYNC, fd, u, g);
  const req = request(l, cb, Kind.None, 'fchown', null);
  req._ext = binding.fsFchown(l._native, req, fd, u, g);
  return req;
}

/** Like chown, but changes a symbolic link itself. */
export function lchown(loop: LoopArg, path: string, uid: number, gid: number): void;
export function lchown(loop: LoopArg, path: string, uid: number, gid: number, cb: FSCallback<undefined>): FSRequest;
export function lchown(loop: LoopArg, path: string, uid: number, gid: number,
                       cb?: FSCallback<undefined>): void | FSRequest {
  return ownerCall(loop, path, uid, gid, cb, 'lchown', binding.fsLchown);
}

export function fsync(loop: LoopArg, fd: number): void;
export function fsync(loop: LoopArg, fd: number, cb: FSCallback<undefined>): FSRequest;
export function fsync(loop: LoopArg, fd: number, cb?: FSCallback<undefined>): void | FSRequest {
  return fdCall(loop, fd, cb, 'fsync', binding.fsFsync);
}

export function fdatasync(loop: LoopArg, fd: number): void;
export function fdatasync(loop: LoopArg, fd: number, cb: FSCallback<undefined>): FSRequest;
export function fdatasync(loop: LoopArg, fd: number, cb?: FSCallback<undefined>): void | FSRequest {
  return fdCall(loop, fd, cb, 'fdatasync', binding.fsFdatasync);
}

/** Truncates or extends the file to `length` bytes (default 0). */
export function ftruncate(loop: LoopArg, fd: number, length?: number | null): void;
export function ftruncate(loop: LoopArg, fd: number, cb: FSCallback<undefined>): FSRequest;
export function ftruncate(loop: LoopArg, fd: number, length: number | null | undefined, cb: FSCallback<undefined>): FSRequest;
export function ftruncate(loop: LoopArg, fd: number, length?: unknown, cb?: unknown): void | FSRequest {
  if (typeof length === 'function') {
    cb = length;
    length = undefined;
  }
  const l = loopArg(loop);
  checkFd(fd);
  const len = length == null ? 0 : checkInteger(length, 'length', 0, MAX_LEN);
  if (!checkCallback(cb)) return binding.fsFtruncate(l._native, SYNC, fd, len);
  const req = request(l, cb, Kind.None, 'ftruncate', null);
  req._ext = binding.fsFtruncate(l._native, req, fd, len);
  return req;
}

/** The entries of a directory, sorted by name, without '.' and '..'. */
export function scandir(loop: LoopArg, path: string): DirEntry[];
export function scandir(loop: LoopArg, path: string, cb: FSCallback<DirEntry[]>): FSRequest;
export function scandir(loop: LoopArg, path: string, cb?: FSCallback<DirEntry[]>): DirEntry[] | FSRequest {
  const l = loopArg(loop);
  checkPath(path);
  if (!checkCallback(cb)) return entries(binding.fsScandir(l._native, SYNC, path));
  const req = request(l, cb, Kind.Entries, 'scandir', path);
  req._ext = binding.fsScandir(l._native, req, path);
  return req;
}

export function opendir(loop: LoopArg, path: string): Dir;
export function opendir(loop: LoopArg, path: string, cb: FSCallback<Dir>): FSRequest;
export function opendir(loop: LoopArg, path: string, cb?: FSCallback<Dir>): Dir | FSRequest {
  const l = loopArg(loop);
  checkPath(path);
  if (!checkCallback(cb)) return new Dir(binding.fsOpendir(l._native, SYNC, path), path);
  const req = request(l, cb, Kind.Opendir, 'opendir', path);
  req._ext = binding.fsOpendir(l._native, req, path);
  return req;
}

/** The next entries (at most DIR_ENTRIES), in no particular order; empty at the end. */
export function readdir(loop: LoopArg, dir: Dir): DirEntry[];
export function readdir(loop: LoopArg, dir: Dir, cb: FSCallback<DirEntry[]>): FSRequest;
export function readdir(loop: LoopArg, dir: Dir, cb?: FSCallback<DirEntry[]>): DirEntry[] | FSRequest {
  const l = loopArg(loop);
  checkDir(dir);
  if (!checkCallback(cb)) return entries(binding.fsReaddir(l._native, SYNC, dir._ext, dir.path));
  const req = request(l, cb, Kind.Readdir, 'readdir', dir.path, undefined, dir);
  req._ext = binding.fsReaddir(l._native, req, dir._ext, dir.path);
  dir._busy = true;
  return req;
}

export function closedir(loop: LoopArg, dir: Dir): void;
export function closedir(loop: LoopArg, dir: Dir, cb: FSCallback<undefined>): FSRequest;
export function closedir(loop: LoopArg, dir: Dir, cb?: FSCallback<undefined>): void | FSRequest {
  const l = loopArg(loop);
  checkDir(dir);
  if (!checkCallback(cb)) {
    binding.fsClosedir(l._native, SYNC, dir._ext, dir.path);
    dir._ext = null;
    return;
  }
  const req = request(l, cb, Kind.Closedir, 'closedir', dir.path, undefined, dir);
  req._ext = binding.fsClosedir(l._native, req, dir._ext, dir.path);
  dir._busy = true;
  return req;
}

/** Copies `length` bytes from `inFd` at `inOffset` to `outFd` at its position; the result is the count. */
export function sendfile(loop: LoopArg, outFd: number, inFd: number, inOffset: number, length: number): number;
export function sendfile(loop: LoopArg, outFd: number, inFd: number, inOffset: number, length: number,
                         cb: FSCallback<number>): FSRequest;
export function sendfile(loop: LoopArg, outFd: number, inFd: number, inOffset: number, length: number,
                         cb?: FSCallback<number>): number | FSRequest {
  const l = loopArg(loop);
  checkFd(outFd, 'outFd');
  checkFd(inFd, 'inFd');
  checkInteger(inOffset, 'inOffset', 0, MAX_LEN);
  checkInteger(length, 'length', 0, MAX_LEN);
  if (!checkCallback(cb)) return binding.fsSendfile(l._native, SYNC, outFd, inFd, inOffset, length);
  const req = request(l, cb, Kind.Value, 'sendfile', null);
  req._ext = binding.fsSendfile(l._native, req, outFd, inFd, inOffset, length);
  return req;
}

/** Copies a file; `flags` (default 0) of UV_FS_COPYFILE_EXCL | FICLONE | FICLONE_FORCE. */
export function copyfile(loop: LoopArg, path: string, newPath: string, flags?: number | null): void;
export function copyfile(loop: LoopArg, path: string, newPath: string, cb: FSCallback<undefined>): FSRequest;
export function copyfile(loop: LoopArg, path: string, newPath: string, flags: number | null | undefined,
                         cb: FSCallback<undefined>): FSRequest;
export function copyfile(loop: LoopArg, path: string, newPath: string, flags?: unknown, cb?: unknown): void | FSRequest {
  if (typeof flags === 'function') {
    cb = flags;
    flags = undefined;
  }
  const f = flags == null ? 0 : checkInteger(flags, 'flags', 0, 7);
  return twoPathCall(loop, path, newPath, f, cb, 'copyfile', binding.fsCopyfile);
}

/** Sets access and modification times, in ms since the epoch (or Dates); libuv keeps microseconds. */
export function utime(loop: LoopArg, path: string, atime: FileTime, mtime: FileTime): void;
export function utime(loop: LoopArg, path: string, atime: FileTime, mtime: FileTime,
                      cb: FSCallback<undefined>): FSRequest;
export function utime(loop: LoopArg, path: string, atime: FileTime, mtime: FileTime,
                      cb?: FSCallback<undefined>): void | FSRequest {
  return timeCall(loop, path, atime, mtime, cb, 'utime', binding.fsUtime);
}

export function futime(loop: LoopArg, fd: number, atime: FileTime, mtime: FileTime): void;
export function futime(loop: LoopArg, fd: number, atime: FileTime, mtime: FileTime,
                       cb: FSCallback<undefined>): FSRequest;
export function futime(loop: LoopArg, fd: number, atime: FileTime, mtime: FileTime,
                       cb?: FSCallback<undefined>): void | FSRequest {
  const l = loopArg(loop);
  checkFd(fd);
  const a = checkTime(atime, 'atime', 'futime');
  const m = checkTime(mtime, 'mtime', 'futime');
  if (!checkCallback(cb)) return binding.fsFutime(l._native, SYNC, fd, a, m);
  const req = request(l, cb, Kind.None, 'futime', null);
  req._ext = binding.fsFutime(l._native, req, fd, a, m);
  return req;
}

/** Like utime, but changes a symbolic link itself. */
export function lutime(loop: LoopArg, path: string, atime: FileTime, mtime: FileTime): void;
export function lutime(loop: LoopArg, path: string, atime: FileTime, mtime: FileTime,
                       cb: FSCallback<undefined>): FSRequest;
export function lutime(loop: LoopArg, path: string, atime: FileTime, mtime: FileTime,
                       cb?: FSCallback<undefined>): void | FSRequest {
  return timeCall(loop, path, atime, mtime, cb, 'lutime', binding.fsLutime);
}

/** Checks access: `mode` F_OK (0, the default) or R_OK | W_OK | X_OK; throws if denied. */
export function access(loop: LoopArg, path: string, mode?: number | null): void;
export function access(loop: LoopArg, path: string, cb: FSCallback<undefined>): FSRequest;
export function access(loop: LoopArg, path: string, mode: number | null | undefined, cb: FSCallback<undefined>): FSRequest;
export function access(loop: LoopArg, path: string, mode?: unknown, cb?: unknown): void | FSRequest {
  if (typeof mode === 'function') {
    cb = mode;
    mode = undefined;
  }
  const m = mode == null ? 0 : checkInteger(mode, 'mode', 0, 7);
  return pathIntCall(loop, path, m, cb, 'access', binding.fsAccess);
}

// ---- shared shapes ----------------------------------------------------------

type Native = (...args: any[]) => any;

function pathCall(loop: LoopArg, path: unknown, cb: unknown, syscall: string, fn: Native, kind: Kind,
                  name = 'path'): any {
  const l = loopArg(loop);
  checkPath(path, name);
  if (!checkCallback(cb)) return fn(l._native, SYNC, path);
  const req = request(l, cb, kind, syscall, path as string);
  req._ext = fn(l._native, req, path);
  return req;
}

function pathIntCall(loop: LoopArg, path: unknown, n: number, cb: unknown, syscall: string, fn: Native): any {
  const l = loopArg(loop);
  checkPath(path);
  if (!checkCallback(cb)) return fn(l._native, SYNC, path, n);
  const req = request(l, cb, Kind.None, syscall, path as string);
  req._ext = fn(l._native, req, path, n);
  return req;
}

function fdCall(loop: LoopArg, fd: unknown, cb: unknown, syscall: string, fn: Native): any {
  const l = loopArg(loop);
  checkFd(fd);
  if (!checkCallback(cb)) return fn(l._native, SYNC, fd);
  const req = request(l, cb, Kind.None, syscall, null);
  req._ext = fn(l._native, req, fd);
  return req;
}

function twoPathCall(loop: LoopArg, path: unknown, newPath: unknown, flags: number | null | undefined, cb: unknown,
                     syscall: string, fn: Native): any {
  const l = loopArg(loop);
  checkPath(path);
  checkPath(newPath, 'newPath');
  if (!checkCallback(cb)) return fn(l._native, SYNC, path, newPath, flags);
  const req = request(l, cb, Kind.None, syscall, path as string, newPath as string);
  req._ext = fn(l._native, req, path, newPath, flags);
  return req;
}

function ownerCall(loop: LoopArg, path: unknown, uid: unknown, gid: unknown, cb: unknown, syscall: string,
                   fn: Native): any {
  const l = loopArg(loop);
  checkPath(path);
  const u = checkId(uid, 'uid');
  const g = checkId(gid, 'gid');
  if (!checkCallback(cb)) return fn(l._native, SYNC, path, u, g);
  const req = request(l, cb, Kind.None, syscall, path as string);
  req._ext = fn(l._native, req, path, u, g);
  return req;
}

function timeCall(loop: LoopArg, path: unknown, atime: unknown, mtime: unknown, cb: unknown, syscall: string,
                  fn: Native): any {
  const l = loopArg(loop);
  checkPath(path);
  const a = checkTime(atime, 'atime', syscall);
  const m = checkTime(mtime, 'mtime', syscall);
  if (!checkCallback(cb)) return fn(l._native, SYNC, path, a, m);
  const req = request(l, cb, Kind.None, syscall, path as string);
  req._ext = fn(l._native, req, path, a, m);
  return req;
}
