// uvkit: a separate libuv event loop for Node.js, with pyuv's API.
import { binding } from './binding';

export { Loop } from './loop';
export type { LoopMetrics, LoopOptions } from './metrics';
export { socketpair, pipe } from './misc';
export { Handle } from './handle';
export { Timer, TimerError } from './timer';
export { Prepare, Check, Idle, PrepareError, CheckError, IdleError } from './loopwatchers';
export { Async, AsyncError, AsyncSender } from './async';
export type { AsyncTransferable } from './async';
export { WorkRequest } from './work';
export { Signal, SignalError } from './signal';
export * as util from './util';
export { FSEvent, FSEventError } from './fs_event';
export type { FSEventCallback } from './fs_event';
export { FSPoll, FSPollError } from './fs_poll';
export type { FSPollCallback } from './fs_poll';
export { Process, ProcessError, StdIO, kill } from './process';
export type { ExitCallback, ProcessOptions, StdIOOptions, StdIOStream } from './process';
export { Stream, StreamError } from './stream';
export type { Data, ReadIntoCallback, ReadIntoOptions, TransferableHandle } from './stream';
export { TCP, TCPError } from './tcp';
export { Pipe, PipeError } from './pipe';
export { TTY, TTYError } from './tty';
export { TLS, TLSContext, TLSError } from './tls';
export type { PEM, TLSOptions, TLSContextOptions, PeerCertificate } from './tls';
export type { SockAddr, Family } from './address';
export * as fs from './fs';
export { FSError, FSRequest } from './fs_request';
export type { Stat } from './fs';
export { UDP, UDPError } from './udp';
export type { UDPRecvCallback, UDPSendCallback } from './udp';
export { Poll, PollError } from './poll';
export type { PollCallback } from './poll';
export * as dns from './dns';
export * from './errors';
export * from './constants';
export { errno, errorcode, strerror } from './errno';
export { features } from './features';
export type { Features } from './features';
export type { ErrnoName } from './errno';

/** The package's version. */
export const version: string = require('../package.json').version;
/** The version of the libuv that runs uvkit's loops (the one inside Node). */
export const libuvVersion: string = binding.libuvVersion;
