'use strict';
// In-process cases, one per process: `node bench/micro.js <case> <impl> <n>`.
// impl is uvkit or node. Prints one JSON line {ops, seconds}: the time from
// the first operation started to the last one completed.
const fs = require('fs');
const [name, impl, nArg] = process.argv.slice(2);
const N = Number(nArg);
const uv = impl === 'uvkit' ? require('..') : null;
const hr = () => Number(process.hrtime.bigint()) / 1e9;

function done(t0, ops = N) {
  const seconds = hr() - t0;
  process.stdout.write(JSON.stringify({ ops, seconds }) + '\n');
}

// The peer of the callback cases: N setImmediate callbacks, each queued by the last.
function immediates(t0) {
  let count = 0;
  const tick = () => {
    if (++count === N) done(t0);
    else setImmediate(tick);
  };
  setImmediate(tick);
}

const cases = {
  // N timers with timeouts 1..10 ms, all started, then all fired.
  timers() {
    let fired = 0;
    const t0 = hr();
    if (uv) {
      const loop = new uv.Loop();
      const cb = () => {
        if (++fired === N) done(t0);
      };
      for (let i = 0; i < N; i++) new uv.Timer(loop).start(cb, 1 + (i % 10));
      loop.run();
    } else {
      const cb = () => {
        if (++fired === N) done(t0);
      };
      for (let i = 0; i < N; i++) setTimeout(cb, 1 + (i % 10));
    }
  },

  // N async stats of one file, 128 in flight.
  stat() {
    const file = __filename;
    const WINDOW = 128;
    let started = 0;
    let finished = 0;
    const t0 = hr();
    if (uv) {
      const loop = new uv.Loop();
      const cb = (err) => {
        if (err) throw err;
        if (++finished === N) done(t0);
        else if (started < N) {
          started++;
          uv.fs.stat(loop, file, cb);
        }
      };
      for (; started < WINDOW && started < N; started++) uv.fs.stat(loop, file, cb);
      loop.run();
    } else {
      const cb = (err) => {
        if (err) throw err;
        if (++finished === N) done(t0);
        else if (started < N) {
          started++;
          fs.stat(file, cb);
        }
      };
      for (; started < WINDOW && started < N; started++) fs.stat(file, cb);
    }
  },

  // N synchronous stats of one file.
  statSync() {
    const file = __filename;
    const loop = uv ? new uv.Loop() : null;
    const t0 = hr();
    if (uv) for (let i = 0; i < N; i++) uv.fs.stat(loop, file);
    else for (let i = 0; i < N; i++) fs.statSync(file);
    done(t0);
  },

  // N callbacks of an Idle handle (one per loop iteration) vs setImmediate.
  idle() {
    let count = 0;
    const t0 = hr();
    if (uv) {
      const loop = new uv.Loop();
      const idle = new uv.Idle(loop);
      idle.start(() => {
        if (++count === N) {
          idle.close();
          done(t0);
        }
      });
      loop.run();
    } else {
      immediates(t0);
    }
  },

  // N Async callbacks, each send() made from the previous callback.
  async() {
    let count = 0;
    const t0 = hr();
    if (uv) {
      const loop = new uv.Loop();
      const a = new uv.Async(loop, () => {
        if (++count === N) {
          a.close();
          done(t0);
        } else a.send();
      });
      a.send();
      loop.run();
    } else {
      immediates(t0);
    }
  },

  // N spawns of `true` with stdin/out/err on /dev/null, 8 at a time, each
  // waited for (exit) and its handle closed.
  spawn() {
    const WINDOW = 8;
    let started = 0;
    let exited = 0;
    const t0 = hr();
    if (uv) {
      const loop = new uv.Loop();
      const onExit = (status, signal, p) => {
        if (status !== 0) throw new Error(`true exited with ${status}`);
        p.close();
        if (++exited === N) done(t0);
        else if (started < N) start();
      };
      const start = () => {
        started++;
        uv.Process.spawn(loop, { args: ['true'] }, onExit);
      };
      while (started < WINDOW && started < N) start();
      loop.run();
    } else {
      const { spawn } = require('child_process');
      const onExit = (status) => {
        if (status !== 0) throw new Error(`true exited with ${status}`);
        if (++exited === N) done(t0);
        else if (started < N) start();
      };
      const start = () => {
        started++;
        spawn('true', [], { stdio: 'ignore' }).on('exit', onExit);
      };
      while (started < WINDOW && started < N) start();
    }
  },
};

if (!cases[name]) throw new Error(`unknown case ${name}`);
cases[name]();
