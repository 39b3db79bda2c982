// pyuv's constant names with libuv's values, at the top level and in
// `constants`. Native sets each in its area's file (native/constants.h);
// here each is named twice, as an export and in `constants` (the errors
// test checks that every key of `constants` is also exported).
import { binding } from './binding';

const c = binding.constants;

export const UV_RUN_DEFAULT: number = c.UV_RUN_DEFAULT;
export const UV_RUN_ONCE: number = c.UV_RUN_ONCE;
export const UV_RUN_NOWAIT: number = c.UV_RUN_NOWAIT;
export const UV_READABLE: number = c.UV_READABLE;
export const UV_WRITABLE: number = c.UV_WRITABLE;
export const UV_DISCONNECT: number = c.UV_DISCONNECT;
export const UV_PRIORITIZED: number = c.UV_PRIORITIZED;
export const UV_TCP_IPV6ONLY: number = c.UV_TCP_IPV6ONLY;
export const UV_UDP_IPV6ONLY: number = c.UV_UDP_IPV6ONLY;
export const UV_UDP_REUSEADDR: number = c.UV_UDP_REUSEADDR;
export const UV_UDP_PARTIAL: number = c.UV_UDP_PARTIAL;
/** Bind flags of libuv >= 1.49 (`features.tcpReusePort`, `features.udpReusePort`). */
export const UV_TCP_REUSEPORT: number = c.UV_TCP_REUSEPORT;
export const UV_UDP_REUSEPORT: number = c.UV_UDP_REUSEPORT;
export const UV_JOIN_GROUP: number = c.UV_JOIN_GROUP;
export const UV_LEAVE_GROUP: number = c.UV_LEAVE_GROUP;
export const UV_PROCESS_SETUID: number = c.UV_PROCESS_SETUID;
export const UV_PROCESS_SETGID: number = c.UV_PROCESS_SETGID;
export const UV_PROCESS_DETACHED: number = c.UV_PROCESS_DETACHED;
export const UV_PROCESS_WINDOWS_HIDE: number = c.UV_PROCESS_WINDOWS_HIDE;
export const UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS: number = c.UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS;
export const UV_IGNORE: number = c.UV_IGNORE;
export const UV_CREATE_PIPE: number = c.UV_CREATE_PIPE;
export const UV_READABLE_PIPE: number = c.UV_READABLE_PIPE;
export const UV_WRITABLE_PIPE: number = c.UV_WRITABLE_PIPE;
export const UV_INHERIT_FD: number = c.UV_INHERIT_FD;
export const UV_INHERIT_STREAM: number = c.UV_INHERIT_STREAM;
export const UV_TTY_MODE_NORMAL: number = c.UV_TTY_MODE_NORMAL;
export const UV_TTY_MODE_RAW: number = c.UV_TTY_MODE_RAW;
export const UV_TTY_MODE_IO: number = c.UV_TTY_MODE_IO;
export const UV_RENAME: number = c.UV_RENAME;
export const UV_CHANGE: number = c.UV_CHANGE;
export const UV_FS_EVENT_WATCH_ENTRY: number = c.UV_FS_EVENT_WATCH_ENTRY;
export const UV_FS_EVENT_STAT: number = c.UV_FS_EVENT_STAT;
export const UV_FS_EVENT_RECURSIVE: number = c.UV_FS_EVENT_RECURSIVE;
export const UV_FS_SYMLINK_DIR: number = c.UV_FS_SYMLINK_DIR;
export const UV_FS_SYMLINK_JUNCTION: number = c.UV_FS_SYMLINK_JUNCTION;
export const UV_FS_COPYFILE_EXCL: number = c.UV_FS_COPYFILE_EXCL;
export const UV_FS_COPYFILE_FICLONE: number = c.UV_FS_COPYFILE_FICLONE;
export const UV_FS_COPYFILE_FICLONE_FORCE: number = c.UV_FS_COPYFILE_FICLONE_FORCE;
export const UV_DIRENT_UNKNOWN: number = c.UV_DIRENT_UNKNOWN;
export const UV_DIRENT_FILE: number = c.UV_DIRENT_FILE;
export const UV_DIRENT_DIR: number = c.UV_DIRENT_DIR;
export const UV_DIRENT_LINK: number = c.UV_DIRENT_LINK;
export const UV_DIRENT_FIFO: number = c.UV_DIRENT_FIFO;
export const UV_DIRENT_SOCKET: number = c.UV_DIRENT_SOCKET;
export const UV_DIRENT_CHAR: number = c.UV_DIRENT_CHAR;
export const UV_DIRENT_BLOCK: number = c.UV_DIRENT_BLOCK;
export const UV_UNKNOWN_HANDLE: number = c.UV_UNKNOWN_HANDLE;
export const UV_FILE: number = c.UV_FILE;
export const UV_ASYNC: number = c.UV_ASYNC;
export const UV_CHECK: number = c.UV_CHECK;
export const UV_FS_EVENT: number = c.UV_FS_EVENT;
export const UV_FS_POLL: number = c.UV_FS_POLL;
export const UV_HANDLE: number = c.UV_HANDLE;
export const UV_IDLE: number = c.UV_IDLE;
export const UV_NAMED_PIPE: number = c.UV_NAMED_PIPE;
export const UV_POLL: number = c.UV_POLL;
export const UV_PREPARE: number = c.UV_PREPARE;
export const UV_PROCESS: number = c.UV_PROCESS;
export const UV_STREAM: number = c.UV_STREAM;
export const UV_TCP: number = c.UV_TCP;
export const UV_TIMER: number = c.UV_TIMER;
export const UV_TTY: number = c.UV_TTY;
export const UV_UDP: number = c.UV_UDP;
export const UV_SIGNAL: number = c.UV_SIGNAL;

export const constants = Object.freeze({
  UV_RUN_DEFAULT,
  UV_RUN_ONCE,
  UV_RUN_NOWAIT,
  UV_READABLE,
  UV_WRITABLE,
  UV_DISCONNECT,
  UV_PRIORITIZED,
  UV_TCP_IPV6ONLY,
  UV_UDP_IPV6ONLY,
  UV_UDP_REUSEADDR,
  UV_UDP_PARTIAL,
  UV_TCP_REUSEPORT,
  UV_UDP_REUSEPORT,
  UV_JOIN_GROUP,
  UV_LEAVE_GROUP,
  UV_PROCESS_SETUID,
  UV_PROCESS_SETGID,
  UV_PROCESS_DETACHED,
  UV_PROCESS_WINDOWS_HIDE,
  UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS,
  UV_IGNORE,
  UV_CREATE_PIPE,
  UV_READABLE_PIPE,
  UV_WRITABLE_PIPE,
  UV_INHERIT_FD,
  UV_INHERIT_STREAM,
  UV_TTY_MODE_NORMAL,
  UV_TTY_MODE_RAW,
  UV_TTY_MODE_IO,
  UV_RENAME,
  UV_CHANGE,
  UV_FS_EVENT_WATCH_ENTRY,
  UV_FS_EVENT_STAT,
  UV_FS_EVENT_RECURSIVE,
  UV_FS_SYMLINK_DIR,
  UV_FS_SYMLINK_JUNCTION,
  UV_FS_COPYFILE_EXCL,
  UV_FS_COPYFILE_FICLONE,
  UV_FS_COPYFILE_FICLONE_FORCE,
  UV_DIRENT_UNKNOWN,
  UV_DIRENT_FILE,
  UV_DIRENT_DIR,
  UV_DIRENT_LINK,
  UV_DIRENT_FIFO,
  UV_DIRENT_SOCKET,
  UV_DIRENT_CHAR,
  UV_DIRENT_BLOCK,
  UV_UNKNOWN_HANDLE,
  UV_FILE,
  UV_ASYNC,
  UV_CHECK,
  UV_FS_EVENT,
  UV_FS_POLL,
  UV_HANDLE,
  UV_IDLE,
  UV_NAMED_PIPE,
  UV_POLL,
  UV_PREPARE,
  UV_PROCESS,
  UV_STREAM,
  UV_TCP,
  UV_TIMER,
  UV_TTY,
  UV_UDP,
  UV_SIGNAL,
});
