// libuv's error codes (negative numbers) by name, their names by number,
// and their messages. Values come from the libuv Node was built with.
import { binding } from './binding';
import { checkInteger } from './validate';

const names = [
  'UV_E2BIG', 'UV_EACCES', 'UV_EADDRINUSE', 'UV_EADDRNOTAVAIL', 'UV_EAFNOSUPPORT', 'UV_EAGAIN', 'UV_EAI_ADDRFAMILY', 'UV_EAI_AGAIN',
  'UV_EAI_BADFLAGS', 'UV_EAI_BADHINTS', 'UV_EAI_CANCELED', 'UV_EAI_FAIL', 'UV_EAI_FAMILY', 'UV_EAI_MEMORY', 'UV_EAI_NODATA', 'UV_EAI_NONAME',
  'UV_EAI_OVERFLOW', 'UV_EAI_PROTOCOL', 'UV_EAI_SERVICE', 'UV_EAI_SOCKTYPE', 'UV_EALREADY', 'UV_EBADF', 'UV_EBUSY', 'UV_ECANCELED',
  'UV_ECHARSET', 'UV_ECONNABORTED', 'UV_ECONNREFUSED', 'UV_ECONNRESET', 'UV_EDESTADDRREQ', 'UV_EEXIST', 'UV_EFAULT', 'UV_EFBIG',
  'UV_EHOSTUNREACH', 'UV_EINTR', 'UV_EINVAL', 'UV_EIO', 'UV_EISCONN', 'UV_EISDIR', 'UV_ELOOP', 'UV_EMFILE',
  'UV_EMSGSIZE', 'UV_ENAMETOOLONG', 'UV_ENETDOWN', 'UV_ENETUNREACH', 'UV_ENFILE', 'UV_ENOBUFS', 'UV_ENODEV', 'UV_ENOENT',
  'UV_ENOMEM', 'UV_ENONET', 'UV_ENOPROTOOPT', 'UV_ENOSPC', 'UV_ENOSYS', 'UV_ENOTCONN', 'UV_ENOTDIR', 'UV_ENOTEMPTY',
  'UV_ENOTSOCK', 'UV_ENOTSUP', 'UV_EOVERFLOW', 'UV_EPERM', 'UV_EPIPE', 'UV_EPROTO', 'UV_EPROTONOSUPPORT', 'UV_EPROTOTYPE',
  'UV_ERANGE', 'UV_EROFS', 'UV_ESHUTDOWN', 'UV_ESPIPE', 'UV_ESRCH', 'UV_ETIMEDOUT', 'UV_ETXTBSY', 'UV_EXDEV',
  'UV_UNKNOWN', 'UV_EOF', 'UV_ENXIO', 'UV_EMLINK', 'UV_EHOSTDOWN', 'UV_EREMOTEIO', 'UV_ENOTTY', 'UV_EFTYPE',
  'UV_EILSEQ', 'UV_ESOCKTNOSUPPORT', 'UV_ENODATA', 'UV_EUNATCH',
] as const;

export type ErrnoName = (typeof names)[number];

/** libuv's message for an error code: `strerror(-2)` is 'no such file or directory'. */
export function strerror(code: number): string {
  return binding.strerror(checkInteger(code, 'code', -0x80000000, 0x7fffffff));
}

// Every code the running libuv knows (native lists them; the names above
// are those every supported libuv has, for types).
const codes: Record<string, number> = binding.errno;

/** Error names by code: `errorcode[-2] === 'UV_ENOENT'`. */
export const errorcode: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(Object.entries(codes).map(([name, code]) => [code, name])),
);

/**
 * Every `UV_E*` code the running libuv knows: `errno.UV_ENOENT === -2`; and,
 * as pyuv has them, `errno.errorcode` and `errno.strerror` (not enumerable:
 * `Object.entries(errno)` lists the codes alone).
 */
export const errno = Object.freeze(
  Object.defineProperties({ ...codes }, { errorcode: { value: errorcode }, strerror: { value: strerror } }),
) as unknown as Readonly<Record<ErrnoName, number>> & {
  readonly errorcode: Readonly<Record<number, string>>;
  readonly strerror: typeof strerror;
};
