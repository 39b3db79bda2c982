// Shared test support: a fresh Loop per test with a teardown that closes
// every handle, checks nothing was left open and no fd leaked; and a way to
// run a script in a child Node process.
import { strict as assert } from 'assert';
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Loop, Signal, TCP, Timer } from '../lib/index';

export const root = path.join(__dirname, '..');

// Opened once and kept for good, so made before any fd is counted: the main
// thread's default loop, and libuv's process-wide signal pipe (made the
// first time any loop uses a signal handle).
Loop.default();
{
  const warm = new Loop();
  new Signal(warm).close();
  warm.run();
  warm.close();
}

export function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/**
 * Gives each test of the suite its own loop: `const t = useLoop()` then
 * `t.loop` inside the tests. After each test every handle is closed, the
 * loop is run until the closes land, closed, and the fd count compared.
 */
export function useLoop(): { loop: Loop } {
  const ctx = {} as { loop: Loop; fds: number };
  beforeEach(() => {
    ctx.fds = openFds();
    ctx.loop = new Loop();
  });
  afterEach(() => {
    const loop = ctx.loop;
    if (loop.attached) loop.detach();
    for (const h of loop.handles) if (!h.closed) h.close();
    loop.run();
    assert.equal(loop.handles.length, 0, 'handles left open');
    loop.close();
    assert.equal(openFds(), ctx.fds, 'fds leaked');
  });
  return ctx;
}

/** Runs `script` in a child Node process in the package root: `require('./')` is uvkit. */
export function runNode(
  script: string,
  opts: { args?: string[]; timeout?: number; input?: string } = {},
): SpawnSyncReturns<string> {
  const res = spawnSync(process.execPath, [...(opts.args ?? []), '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: opts.timeout ?? 15000,
    input: opts.input,
  });
  return res;
}

/** Fails the test if `fn` does not throw an instance of `cls` matching `props`. */
export function throwsLike(fn: () => unknown, cls: Function, props: Record<string, unknown> = {}) {
  assert.throws(fn, (err: any) => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${err && err.constructor && err.constructor.name}: ${err && err.message}`);
    for (const [k, v] of Object.entries(props)) assert.deepEqual((err as Record<string, unknown>)[k], v, `err.${k}`);
    return true;
  });
}

/** Whether the running Node's libuv is at least 1.`minor`. */
export function libuvAtLeast(minor: number): boolean {
  const [major, min] = process.versions.uv.split('.').map(Number);
  return major > 1 || min >= minor;
}

/**
 * Fails the test if `fn` does not throw HandleClosedError EBADF with the
 * message naming the class and the method: "TCP.write(): handle is closed".
 */
export function throwsClosed(fn: () => unknown, className: string, method: string) {
  assert.throws(fn, (err: any) => {
    assert.equal(err && err.constructor && err.constructor.name, 'HandleClosedError', err && err.message);
    assert.equal(err.code, 'EBADF');
    assert.equal(err.message, `${className}.${method}(): handle is closed`);
    return true;
  });
}

/** A TCP server on ip:0 whose accepted connections are handed to `onClient`. */
export function listenTCP(loop: Loop, ip: string, onClient: (c: TCP) => void): TCP {
  const server = new TCP(loop);
  server.bind(ip, 0);
  server.listen((err, s) => {
    assert.equal(err, null);
    const c = new TCP(loop);
    s.accept(c);
    onClient(c);
  });
  return server;
}

/** Runs the loop with a deadline (every handle closed, then a throw): a test that would hang fails instead. */
export function runBounded(loop: Loop, ms = 15000): void {
  const guard = new Timer(loop);
  guard.ref = false;
  guard.start(() => {
    for (const h of loop.handles) h.close();
    throw new Error('the loop did not finish in time');
  }, ms);
  try {
    loop.run();
  } finally {
    guard.close();
  }
  loop.run();
}
