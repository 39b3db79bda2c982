// The Stat object of fs and FSPoll, read from the Float64Array native writes
// stats into (native/stat.h): no object is built natively on the hot fs
// stat path. One array per thread, read at once after each native write.
import { binding } from './binding';

export interface Stat {
  dev: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  ino: number;
  size: number;
  blksize: number;
  blocks: number;
  flags: number;
  gen: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;
}

/**
 * @internal Two stat slots of 16 doubles (FSPoll passes prev and curr
 * together); fs's statfs results use slot 0 too.
 */
export const statValues = new Float64Array(32);
binding.fsSetup(statValues);

/** @internal The Stat native wrote into `slot` (0 or 1). */
export function statResult(slot: number): Stat {
  const a = statValues;
  const o = slot * 16;
  return {
    dev: a[o], mode: a[o + 1], nlink: a[o + 2], uid: a[o + 3], gid: a[o + 4], rdev: a[o + 5], ino: a[o + 6],
    size: a[o + 7], blksize: a[o + 8], blocks: a[o + 9], flags: a[o + 10], gen: a[o + 11],
    atimeMs: a[o + 12], mtimeMs: a[o + 13], ctimeMs: a[o + 14], birthtimeMs: a[o + 15],
  };
}
