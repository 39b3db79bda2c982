// Which libuv capabilities newer than Node 20's libuv (1.46) the running
// Node has. One binary serves every Node line; a call that needs a missing
// one throws UVError ENOTSUP (native/features.h).
import { binding } from './binding';
import { ErrorClass, UVError } from './errors';

export interface Features {
  /** TCP bind flag UV_TCP_REUSEPORT (libuv 1.49). */
  readonly tcpReusePort: boolean;
  /** UDP bind flag UV_UDP_REUSEPORT (libuv 1.49). */
  readonly udpReusePort: boolean;
  /** TCP keepalive interval and count (uv_tcp_keepalive_ex, libuv 1.52). */
  readonly tcpKeepaliveEx: boolean;
  /** Batched UDP sends (uv_udp_try_send2, libuv 1.50). */
  readonly udpTrySendMany: boolean;
  /** Thread priorities (uv_thread_setpriority, libuv 1.48). */
  readonly threadPriority: boolean;
  /** Thread names (uv_thread_setname, libuv 1.50). */
  readonly threadName: boolean;
  /** Resource usage of the calling thread (uv_getrusage_thread, libuv 1.50). */
  readonly getrusageThread: boolean;
  /** UV_FS_UTIME_NOW / UV_FS_UTIME_OMIT in utime (libuv 1.51). */
  readonly fsUtimeNowOmit: boolean;
  /** statfs reports f_frsize (libuv 1.52). */
  readonly statfsFrsize: boolean;
  /** Loop option UV_LOOP_USE_IO_URING_SQPOLL (libuv 1.49). */
  readonly ioUringSqpoll: boolean;
}

export const features: Features = Object.freeze({ ...binding.features });

const UV_ENOTSUP: number = binding.errno.UV_ENOTSUP;

/** Throws `cls` ENOTSUP for `syscall` unless the running libuv has `name`. */
export function needFeature(name: keyof Features, syscall: string, cls: ErrorClass = UVError): void {
  if (!features[name]) throw new cls(UV_ENOTSUP, syscall);
}
