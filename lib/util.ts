// Process and system information from libuv. A libuv failure throws a
// UVError whose `syscall` names the libuv function ('uv_cwd', 'uv_chdir', …).
import type { SockAddr } from './address';
import { binding } from './binding';
import { needFeature } from './features';
import { checkInteger, checkPath } from './validate';

const n = binding.util;

export interface InterfaceAddress {
  /** Interface name ('lo', 'eth0'). */
  name: string;
  /** MAC address as 'aa:bb:cc:dd:ee:ff' ('00:00:00:00:00:00' for loopback). */
  physAddress: string;
  /** True for loopback (not reachable from outside). */
  internal: boolean;
  /** The address; its port is 0. */
  address: SockAddr;
  /** The netmask, as an address of the same family; port 0. */
  netmask: SockAddr;
}

export interface CpuInfo {
  model: string;
  /** MHz. */
  speed: number;
  /** Time spent in each mode since boot, ms. */
  times: { user: number; nice: number; sys: number; idle: number; irq: number };
}

/** getrusage(2) of this process. CPU times in ms; maxrss in KiB (as the OS reports it). */
export interface RUsage {
  utime: number;
  stime: number;
  maxrss: number;
  ixrss: number;
  idrss: number;
  isrss: number;
  minflt: number;
  majflt: number;
  nswap: number;
  inblock: number;
  oublock: number;
  msgsnd: number;
  msgrcv: number;
  nsignals: number;
  nvcsw: number;
  nivcsw: number;
}

export interface Uname {
  sysname: string;
  release: string;
  version: string;
  machine: string;
}

/** A monotonic clock in nanoseconds, from an arbitrary origin. */
export function hrtime(): bigint {
  return n.hrtime();
}

/** Free system memory, bytes. */
export function getFreeMemory(): number {
  return n.getFreeMemory();
}

/** Total system memory, bytes. */
export function getTotalMemory(): number {
  return n.getTotalMemory();
}

/** The memory limit imposed on this process (cgroups), bytes; 0 if none is known. */
export function getConstrainedMemory(): number {
  return n.getConstrainedMemory();
}

/** The 1, 5 and 15 minute load averages. */
export function loadavg(): [number, number, number] {
  return n.loadavg();
}

/** System uptime in seconds (as libuv and os.uptime() report it). */
export function uptime(): number {
  return n.uptime();
}

/** This process's resident set size, bytes. */
export function residentSetMemory(): number {
  return n.residentSetMemory();
}

/** Every address of every network interface that is up. */
export function interfaceAddresses(): InterfaceAddress[] {
  return n.interfaceAddresses();
}

/** One entry per logical CPU. */
export function cpuInfo(): CpuInfo[] {
  return n.cpuInfo();
}

export function getrusage(): RUsage {
  return n.getrusage();
}

/** getrusage(2) of the calling thread (`features.getrusageThread`, libuv 1.50). */
export function getrusageThread(): RUsage {
  needFeature('getrusageThread', 'uv_getrusage_thread');
  return n.getrusageThread();
}

/**
 * Sets the calling thread's scheduling priority, UV_THREAD_PRIORITY_LOWEST
 * (-2) to HIGHEST (2) (`features.threadPriority`, libuv 1.48). Raising it
 * above normal needs privileges (EACCES otherwise) on Linux.
 */
export function threadSetPriority(priority: number): void {
  checkInteger(priority, 'priority', -2, 2);
  needFeature('threadPriority', 'uv_thread_setpriority');
  n.threadSetPriority(priority);
}

/**
 * The calling thread's priority as libuv reads it (`features.threadPriority`):
 * under Linux's default scheduling policy that is the thread's nice value
 * (threadSetPriority(p) sets nice -2p, so -1 reads back as 2).
 */
export function threadGetPriority(): number {
  needFeature('threadPriority', 'uv_thread_getpriority');
  return n.threadGetPriority();
}

/**
 * Names the calling thread, as `top -H` and debuggers show it
 * (`features.threadName`, libuv 1.50); Linux keeps the first 15 bytes.
 */
export function threadSetName(name: string): void {
  checkPath(name, 'name'); // a string without NUL bytes
  needFeature('threadName', 'uv_thread_setname');
  n.threadSetName(name);
}

/** The calling thread's name (`features.threadName`). */
export function threadGetName(): string {
  needFeature('threadName', 'uv_thread_getname');
  return n.threadGetName();
}

/**
 * What kind of handle would suit `fd`: UV_TTY, UV_NAMED_PIPE, UV_TCP, UV_UDP,
 * UV_FILE, or UV_UNKNOWN_HANDLE (also for an fd that is not open).
 */
export function guessHandleType(fd: number): number {
  return n.guessHandleType(checkInteger(fd, 'fd', 0, 0x7fffffff));
}

/** The absolute path of the running executable (node). */
export function exepath(): string {
  return n.exepath();
}

/** The current working directory. */
export function cwd(): string {
  return n.cwd();
}

/**
 * Changes the current working directory of the whole process. Node caches
 * process.cwd() and only refreshes it on process.chdir(), so after this call
 * use util.cwd() (or change back before relying on process.cwd()).
 */
export function chdir(path: string): void {
  n.chdir(checkPath(path));
}

/** The process title (the one Node's process.title shows). */
export function getProcessTitle(): string {
  return n.getProcessTitle();
}

/** Sets the process title; the OS may truncate it to the space argv had. */
export function setProcessTitle(title: string): void {
  n.setProcessTitle(checkPath(title, 'title'));
}

/** An estimate of how many threads can run in parallel (at least 1). */
export function availableParallelism(): number {
  return n.availableParallelism();
}

export function osGetHostname(): string {
  return n.osGetHostname();
}

export function osUname(): Uname {
  return n.osUname();
}

export {
  clockGettime, cpumaskSize, getAvailableMemory, gettimeofday, ifIndexToIid, ifIndexToName, sleep, threadGetAffinity,
  threadGetCPU, threadSetAffinity,
} from './misc';
