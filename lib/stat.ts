// The Stat object native/stat.h builds from a uv_stat_t (fs and FSPoll).

/** A file's status, as stat(2) gives it; times in ms since the epoch. */
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
