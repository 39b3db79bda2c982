import { strict as assert } from 'assert';
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  HandleClosedError, Loop, Poll, PollError, Timer, UDP, UVError, errno,
  UV_DISCONNECT, UV_PRIORITIZED, UV_READABLE, UV_WRITABLE,
} from '../lib/index';
import { throwsClosed, throwsLike, useLoop } from './helpers';

const { O_RDWR, O_RDONLY, O_WRONLY, O_NONBLOCK, O_NOCTTY } = fs.constants;

/** Runs fn after ms on the loop (a bounded wait for events that must not come). */
function after(loop: Loop, ms: number, fn: () => void): Timer {
  const t = new Timer(loop);
  t.start((h) => {
    h.close();
    fn();
  }, ms);
  return t;
}

describe('Poll', () => {
  let dir: string;
  let fifo: string;
  const fds: number[] = [];
  const open = (p: string, flags: number) => {
    const fd = fs.openSync(p, flags);
    fds.push(fd);
    return fd;
  };

  // Node's first spawn() with a pipe opens a /dev/null fd that it keeps for
  // good: open it before any fd is counted.
  before((done) => {
    const c = spawn(process.execPath, ['-e', '0'], { stdio: ['inherit', 'pipe', 'inherit'] });
    c.stdout!.resume();
    c.on('close', () => done());
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-poll-'));
    fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
  });
  afterEach(() => {
    for (const h of t.loop.handles) if (!h.closed) h.close();
    t.loop.run();
    for (const fd of fds.splice(0)) fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true });
  });
  // After the hooks above: those run first, closing the Polls before their fds.
  const t = useLoop();

  it('reports a FIFO readable once per write, nothing while it is empty', () => {
    const fd = open(fifo, O_RDWR | O_NONBLOCK);
    const poll = new Poll(t.loop, fd);
    assert.equal(poll.fileno(), fd);
    const seen: number[] = [];
    poll.start(UV_READABLE, (err, events, h) => {
      assert.equal(err, null);
      assert.equal(h, poll);
      seen.push(events);
      const buf = Buffer.alloc(16);
      assert.equal(fs.readSync(fd, buf), 5);
      assert.equal(buf.toString('utf8', 0, 5), 'hello');
    });
    assert.equal(poll.active, true);
    after(t.loop, 20, () => fs.writeSync(fd, 'hello'));
    after(t.loop, 80, () => poll.close());
    t.loop.run();
    assert.deepEqual(seen, [UV_READABLE]);
  });

  it('reports writable; stop() in the callback stops it; start() again changes the events', () => {
    const fd = open(fifo, O_RDWR | O_NONBLOCK);
    const poll = new Poll(t.loop, fd);
    let calls = 0;
    poll.start(UV_WRITABLE, (err, events, h) => {
      calls++;
      assert.equal(events, UV_WRITABLE);
      h.stop();
      assert.equal(h.active, false);
    });
    t.loop.run();
    assert.equal(calls, 1);
    fs.writeSync(fd, 'x');
    const both: number[] = [];
    poll.start(UV_READABLE | UV_WRITABLE, (err, events, h) => {
      both.push(events);
      h.close();
    });
    t.loop.run();
    assert.deepEqual(both, [UV_READABLE | UV_WRITABLE]);
    assert.equal(calls, 1);
  });

  it('a FIFO writer whose reader is gone gets PollError EBADF once, and is stopped', () => {
    const r = fs.openSync(fifo, O_RDONLY | O_NONBLOCK);
    const w = open(fifo, O_WRONLY | O_NONBLOCK);
    fs.closeSync(r);
    const poll = new Poll(t.loop, w);
    const got: [UVError | null, number][] = [];
    poll.start(UV_WRITABLE, (err, events) => got.push([err, events]));
    t.loop.run(); // ends: the error stopped the handle
    assert.equal(got.length, 1);
    const [err, events] = got[0];
    assert.ok(err instanceof PollError);
    assert.equal(err!.code, 'EBADF');
    assert.equal(err!.errno, errno.UV_EBADF);
    assert.equal(err!.syscall, 'poll');
    assert.equal(events, 0);
    assert.equal(poll.active, false);
  });

  it('UV_PRIORITIZED alone does not fire for ordinary data', () => {
    const fd = open(fifo, O_RDWR | O_NONBLOCK);
    fs.writeSync(fd, 'data');
    const poll = new Poll(t.loop, fd);
    let calls = 0;
    poll.start(UV_PRIORITIZED, () => calls++);
    after(t.loop, 50, () => poll.close());
    t.loop.run();
    assert.equal(calls, 0);
  });

  it('watches a socket: a UDP fd becomes readable and the datagram is still there', () => {
    const udp = new UDP(t.loop);
    udp.bind('127.0.0.1', 0);
    // Poll on another loop: one loop refuses two watchers of one fd (EEXIST).
    const other = new Loop();
    const poll = new Poll(other, udp.fileno());
    let events = -1;
    poll.start(UV_READABLE, (err, ev, h) => {
      events = ev;
      h.close();
    });
    const sender = new UDP(t.loop);
    sender.send('127.0.0.1', udp.getsockname().port, 'for poll');
    t.loop.run();
    other.run();
    other.close();
    assert.equal(events, UV_READABLE);
    let got = '';
    udp.startRecv((err, data, addr, flags, h) => {
      got = data!.toString();
      h.close();
      sender.close();
    });
    t.loop.run();
    assert.equal(got, 'for poll');
  });

  it('reports UV_DISCONNECT when the peer of a socket closes (a child process stdout)', async () => {
    const child = spawn(process.execPath, ['-e', 'process.stdout.write("bye")'], { stdio: ['inherit', 'pipe', 'inherit'] });
    const closed = new Promise((resolve) => child.on('close', resolve));
    // libuv gives a child a socketpair as its stdout pipe.
    const fd: number = (child.stdout as any)._handle.fd;
    const poll = new Poll(t.loop, fd);
    const seen: number[] = [];
    let text = '';
    poll.start(UV_READABLE | UV_DISCONNECT, (err, events, h) => {
      assert.equal(err, null);
      seen.push(events);
      if (events & UV_READABLE) {
        const buf = Buffer.alloc(64);
        try {
          text += buf.toString('utf8', 0, fs.readSync(fd, buf));
        } catch (e: any) {
          assert.equal(e.code, 'EAGAIN');
        }
      }
      if (events & UV_DISCONNECT) h.close();
    });
    after(t.loop, 10000, () => poll.closed || poll.close()).ref = false;
    t.loop.run();
    assert.equal(text, 'bye');
    assert.ok(seen[seen.length - 1] & UV_DISCONNECT, `events ${seen}`);
    assert.equal(seen.filter((e) => e & UV_DISCONNECT).length, 1);
    await closed;
  });

  it('watches a pty master (/dev/ptmx) for writability', () => {
    const fd = open('/dev/ptmx', O_RDWR | O_NOCTTY | O_NONBLOCK);
    const poll = new Poll(t.loop, fd);
    let events = 0;
    poll.start(UV_WRITABLE, (err, ev, h) => {
      events = ev;
      h.close();
    });
    t.loop.run();
    assert.equal(events, UV_WRITABLE);
  });

  it('refuses fds epoll cannot watch: EPERM for a regular file and /dev/null, EBADF for a closed fd', () => {
    const file = open(path.join(dir, 'regular'), fs.constants.O_CREAT | O_RDWR);
    throwsLike(() => new Poll(t.loop, file), PollError, {
      code: 'EPERM', errno: errno.UV_EPERM, syscall: 'uv_poll_init',
    });
    const devnull = open('/dev/null', O_RDWR);
    throwsLike(() => new Poll(t.loop, devnull), PollError, { code: 'EPERM' });
    const closed = fs.openSync(fifo, O_RDWR | O_NONBLOCK);
    fs.closeSync(closed);
    throwsLike(() => new Poll(t.loop, closed), PollError, { code: 'EBADF', syscall: 'uv_poll_init' });
    assert.equal(t.loop.handles.length, 0);
  });

  it('start() refuses an fd closed or reused since the Poll was made (libuv would abort)', () => {
    const fd = fs.openSync(fifo, O_RDWR | O_NONBLOCK);
    const poll = new Poll(t.loop, fd);
    poll.start(UV_READABLE, () => {});
    poll.stop();
    fs.closeSync(fd);
    throwsLike(() => poll.start(UV_READABLE, () => {}), PollError, { code: 'EBADF', syscall: 'uv_poll_start' });
    // Open files until one gets the old number (the lowest free one, normally at once).
    let reused = -1;
    for (let i = 0; i < 64 && reused !== fd; i++) reused = open(path.join(dir, 'other'), fs.constants.O_CREAT | O_RDWR);
    assert.equal(reused, fd);
    throwsLike(() => poll.start(UV_WRITABLE, () => {}), PollError, { code: 'EBADF' });
    assert.equal(poll.active, false);
    poll.close();
    t.loop.run();
  });

  it('one loop takes one watcher per fd: a second Poll of a started fd is EEXIST', () => {
    const fd = open(fifo, O_RDWR | O_NONBLOCK);
    const a = new Poll(t.loop, fd);
    const b = new Poll(t.loop, fd); // fine while a is not started
    b.close();
    a.start(UV_READABLE, () => {});
    throwsLike(() => new Poll(t.loop, fd), PollError, { code: 'EEXIST' });
  });

  it('closing the Poll leaves the fd open', () => {
    const fd = open(fifo, O_RDWR | O_NONBLOCK);
    const poll = new Poll(t.loop, fd);
    poll.start(UV_READABLE, () => {});
    let closeCalls = 0;
    poll.close((h) => {
      closeCalls++;
      assert.equal(h, poll);
    });
    t.loop.run();
    assert.equal(closeCalls, 1);
    assert.ok(fs.fstatSync(fd).isFIFO());
  });

  it('an active Poll works with no reference to it', () => {
    const fd = open(fifo, O_RDWR | O_NONBLOCK);
    let calls = 0;
    (() => {
      new Poll(t.loop, fd).start(UV_READABLE, (err, ev, h) => {
        calls++;
        h.close();
      });
    })();
    if (global.gc) global.gc();
    fs.writeSync(fd, 'x');
    t.loop.run();
    assert.equal(calls, 1);
  });

  it('rejects wrong argument types and values', () => {
    const fd = open(fifo, O_RDWR | O_NONBLOCK);
    assert.throws(() => new Poll(t.loop, '3' as any), TypeError);
    assert.throws(() => new Poll(t.loop, -1), RangeError);
    assert.throws(() => new Poll(t.loop, 1.5), RangeError);
    assert.throws(() => new Poll({} as Loop, fd), TypeError);
    assert.equal(t.loop.handles.length, 0);
    const poll = new Poll(t.loop, fd);
    assert.throws(() => poll.start(16, () => {}), RangeError);
    assert.throws(() => poll.start(-1, () => {}), RangeError);
    assert.throws(() => poll.start('1' as any, () => {}), TypeError);
    assert.throws(() => poll.start(UV_READABLE, null as any), TypeError);
    assert.equal(poll.active, false);
  });

  it('every method of a closed Poll throws HandleClosedError naming it; close() does nothing', () => {
    const fd = open(fifo, O_RDWR | O_NONBLOCK);
    const poll = new Poll(t.loop, fd);
    poll.close();
    throwsClosed(() => poll.start(UV_READABLE, () => {}), 'Poll', 'start');
    throwsClosed(() => poll.start('bad' as any, null as any), 'Poll', 'start');
    throwsClosed(() => poll.stop(), 'Poll', 'stop');
    throwsClosed(() => poll.fileno(), 'Poll', 'fileno');
    throwsClosed(() => (poll.ref = false), 'Poll', 'ref');
    poll.close();
    assert.equal(poll.active, false);
    assert.equal(poll.closed, true);
  });
});
