// Loads the native addon: a prebuild from prebuilds/ when one matches, else
// the local build in build/ (node-gyp-build decides).
import * as path from 'path';
import nodeGypBuild = require('node-gyp-build');

/* eslint-disable @typescript-eslint/no-explicit-any */
// A native handle class; its object is the lib/ handle (lib/handle.ts).
export type NativeCtor<N> = new (loop: NativeLoop, ...args: any[]) => N;

export interface NativeLoop {
  run(mode: number): boolean;
  stop(): void;
  now(): number;
  updateTime(): void;
  fileno(): number;
  getTimeout(): number;
  alive(): boolean;
  running(): boolean;
  handles(): object[];
  close(): void;
  attach(): void;
  detach(): void;
  workMailbox(): number;
  workRef(delta: number): void;
  timerClock(): Float64Array;
  timerTracker(): (timer: object) => void;
  timerArm(due: number, ref: boolean): void;
  closePhase(owner: object): void;
}

// The native methods of every handle; each native method's name has "_$"
// first (native/handle.h DefineHandleClass).
export interface NativeHandle {
  _$close(): void;
  _$isActive(): boolean;
  _$hasRef(): boolean;
  _$setRef(on: boolean): void;
  _$fileno(): number;
  _$bufferSize(send: boolean, value: number): number;
  _$id(): number;
}

export interface Binding {
  setCallbacks(fns: Record<string, Function>): void;
  libuvVersion: string;
  errno: Record<string, number>;
  errName(code: number): string;
  strerror(code: number): string;
  constants: Record<string, number>;
  signals: Record<string, number>;
  Loop: new (owner: object, blockSignal: number, metricsIdleTime: boolean, ioUringSqpoll: boolean) => NativeLoop;
  [name: string]: any;
}

export const binding: Binding = nodeGypBuild(path.join(__dirname, '..'));
