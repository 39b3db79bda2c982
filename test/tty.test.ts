import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HandleClosedError, StreamError, TCP, TTY, TTYError, UV_TTY_MODE_NORMAL, UV_TTY_MODE_RAW, errno } from '../lib/index';
import { root, throwsClosed, throwsLike, useLoop } from './helpers';

// Hosts a child Node process on a fresh pseudo-terminal (111 columns x 33
// rows) and sends it one key once it prints READY. Bounded by alarm().
const ptyHost = `
import os, select, signal, struct, subprocess, sys, fcntl, termios
signal.alarm(25)
master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 33, 111, 0, 0))
child = subprocess.Popen([sys.argv[1], '-e', sys.argv[2]], cwd=sys.argv[3], stdin=slave, stdout=slave,
                         stderr=slave, start_new_session=True)
os.close(slave)
out, sent = b'', False
while True:
    if not select.select([master], [], [], 15)[0]:
        break
    try:
        data = os.read(master, 4096)
    except OSError:  # EIO: the child has closed the terminal
        break
    if not data:
        break
    out += data
    if not sent and b'READY' in out:
        os.write(master, b'q')
        sent = True
sys.stdout.write(out.decode('latin1'))
try:
    sys.exit(child.wait(timeout=5))
except subprocess.TimeoutExpired:  # stuck (e.g. the key never arrived): do not leave it behind
    child.kill()
    sys.exit(98)
`;

function runOnPty(script: string) {
  return spawnSync('python3', ['-c', ptyHost, process.execPath, script, root], { encoding: 'utf8', timeout: 30000 });
}

describe('TTY', () => {
  const t = useLoop();

  it('on a real pseudo-terminal: winsize, raw mode (a key arrives without Enter), writes, resetMode', () => {
    const res = runOnPty(`
      const { Loop, TTY, UV_TTY_MODE_RAW, UV_TTY_MODE_NORMAL } = require('./');
      const loop = new Loop();
      const out = new TTY(loop, 1, false);
      const inp = new TTY(loop, 0, true);
      const ws = out.getWinsize();
      inp.setMode(UV_TTY_MODE_RAW);
      let reads = 0;
      out.write(['WINSIZE ', ws.width + 'x' + ws.height, ' readable=' + inp.readable + ' writable=' + out.writable, '\\nREADY\\n']); // libuv's raw mode keeps ONLCR: \\n is sent as \\r\\n
      inp.startRead((err, data, h) => {
        if (err || h !== inp) throw err || new Error('wrong handle');
        reads++;
        inp.stopRead();
        out.write('GOT ' + JSON.stringify(data.toString()) + ' reads=' + reads + '\\n', (e) => {
          if (e) throw e;
          inp.setMode(UV_TTY_MODE_NORMAL);
          TTY.resetMode();
          inp.close();
          out.close();
        });
      });
      loop.run();
      loop.close();
      process.stdout.write('DONE\\n');
    `);
    assert.equal(res.error, undefined);
    assert.equal(res.status, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /WINSIZE 111x33 readable=true writable=true\r\nREADY\r\n/);
    assert.match(res.stdout, /GOT "q" reads=1\r\n/);
    assert.match(res.stdout, /DONE/);
    assert.doesNotMatch(res.stdout, /READY[\s\S]*q[\s\S]*GOT/, 'the key was echoed: not in raw mode');
  });

  it('on a real pseudo-terminal: a key is read into a caller\'s buffer (startRead with options.buffer)', () => {
    const res = runOnPty(`
      const { Loop, TTY, UV_TTY_MODE_RAW, UV_TTY_MODE_NORMAL } = require('./');
      const loop = new Loop();
      const out = new TTY(loop, 1, false);
      const inp = new TTY(loop, 0, true);
      inp.setMode(UV_TTY_MODE_RAW);
      const buffer = new Uint8Array(16).fill(0x2e);
      out.write('READY\\n');
      inp.startRead((err, nread, buf, h) => {
        if (err || h !== inp || buf !== buffer) throw err || new Error('wrong handle or buffer');
        inp.stopRead();
        out.write('GOT ' + nread + ' ' + JSON.stringify(Buffer.from(buf).toString('latin1')) + '\\n', (e) => {
          if (e) throw e;
          inp.setMode(UV_TTY_MODE_NORMAL);
          TTY.resetMode();
          inp.close();
          out.close();
        });
      }, { buffer });
      loop.run();
      loop.close();
      process.stdout.write('DONE\\n');
    `);
    assert.equal(res.error, undefined);
    assert.equal(res.status, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /GOT 1 "q\.{15}"\r\n/);
    assert.match(res.stdout, /DONE/);
  });

  it('on a pseudo-terminal: wrong types and values are rejected', () => {
    const res = runOnPty(`
      const assert = require('assert');
      const { Loop, TTY } = require('./');
      const loop = new Loop();
      const out = new TTY(loop, 1, false);
      assert.throws(() => out.setMode(7), RangeError);
      assert.throws(() => out.setMode('raw'), TypeError);
      assert.throws(() => out.write(5), TypeError);
      assert.throws(() => out.startRead(null), TypeError);
      out.close();
      loop.run();
      console.log('READY OK');
    `);
    assert.equal(res.status, 0, res.stdout);
    assert.match(res.stdout, /READY OK/);
  });

  it('a file is not a terminal: TTYError EINVAL from uv_tty_init, fd left to the caller', () => {
    const file = path.join(os.tmpdir(), `uvkit-tty-${process.pid}`);
    const fd = fs.openSync(file, 'w');
    try {
      throwsLike(() => new TTY(t.loop, fd, false), TTYError, {
        code: 'EINVAL', errno: errno.UV_EINVAL, syscall: 'uv_tty_init',
      });
    } finally {
      fs.closeSync(fd);
      fs.unlinkSync(file);
    }
    assert.equal(t.loop.handles.length, 0);
  });

  describe('on a FIFO (a stream that is not a terminal)', () => {
    let dir = '';
    let fd = -1;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-tty-'));
      const fifo = path.join(dir, 'fifo');
      assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
      fd = fs.openSync(fifo, 'r+'); // the TTY handle owns and closes it
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('terminal calls fail with TTYError, streaming works', () => {
      const tty = new TTY(t.loop, fd, true);
      throwsLike(() => tty.setMode(UV_TTY_MODE_RAW), TTYError, { syscall: 'uv_tty_set_mode' });
      throwsLike(() => tty.getWinsize(), TTYError, { code: 'ENOTTY', syscall: 'uv_tty_get_winsize' });
      assert.ok((() => { try { tty.getWinsize(); } catch (e) { return e instanceof StreamError; } })());
      let got = '';
      tty.startRead((err, data) => {
        assert.equal(err, null);
        got += data!.toString();
        tty.close();
      });
      tty.write('through the fifo');
      t.loop.run();
      assert.equal(got, 'through the fifo');
    });

    it('rejects wrong argument types and values', () => {
      assert.throws(() => new TTY(t.loop, 'x' as any, true), TypeError);
      assert.throws(() => new TTY(t.loop, -1, true), RangeError);
      assert.throws(() => new TTY(t.loop, fd, 'yes' as any), TypeError);
      assert.throws(() => new TTY({} as any, fd, true), TypeError);
      const tty = new TTY(t.loop, fd, false);
      assert.throws(() => tty.setMode(3), RangeError);
      assert.throws(() => tty.setMode(undefined as any), TypeError);
      assert.throws(() => tty.write(null as any), TypeError);
      assert.throws(() => tty.listen(5 as any), TypeError);
      assert.throws(() => tty.accept(5 as any), TypeError);
    });

    it('listen and accept are not for terminals: clear TTYErrors', () => {
      const tty = new TTY(t.loop, fd, true);
      throwsLike(() => tty.listen(() => {}), TTYError, { syscall: 'listen' });
      throwsLike(() => tty.accept(new TCP(t.loop)), TTYError, { code: 'EINVAL', syscall: 'accept' });
    });

    it('every method of a closed TTY throws HandleClosedError naming it; close() does nothing', () => {
      const tty = new TTY(t.loop, fd, true);
      tty.close();
      const fn = () => {};
      for (const [method, call] of [
        ['setMode', () => tty.setMode(UV_TTY_MODE_NORMAL)], ['getWinsize', () => tty.getWinsize()],
        ['startRead', () => tty.startRead(fn)], ['stopRead', () => tty.stopRead()], ['write', () => tty.write('x')],
        ['tryWrite', () => tty.tryWrite('x')], ['shutdown', () => tty.shutdown()], ['setBlocking', () => tty.setBlocking(true)],
        ['listen', () => tty.listen(fn)], ['fileno', () => tty.fileno()],
      ] as const) {
        throwsClosed(call, 'TTY', method);
      }
      tty.close();
      assert.equal(tty.readable, false);
      assert.equal(tty.writeQueueSize, 0);
    });
  });

  it('resetMode with no mode ever set is a no-op', () => {
    TTY.resetMode();
  });
});
