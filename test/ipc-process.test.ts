import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Pipe, Process, StdIO, TCP, Timer, UV_CREATE_PIPE, UV_IGNORE, UV_INHERIT_FD, UV_READABLE_PIPE, UV_TCP,
  UV_UNKNOWN_HANDLE, UV_WRITABLE_PIPE,
} from '../lib/index';
import { root, useLoop } from './helpers';

// The child: uvkit on its fd 3 (an IPC pipe made by the parent). It takes the
// listening server it is sent, serves exactly one connection on it, hands the
// server back, and writes its callback counts and fd check to stdout.
const child = `
const assert = require('assert');
const fs = require('fs');
const uv = require('./');
// Each open fd with what it refers to (the directory fd of the listing itself is gone by then).
const fdList = () => fs.readdirSync('/proc/self/fd').flatMap((fd) => {
  try { return [fd + ' ' + fs.readlinkSync('/proc/self/fd/' + fd)]; } catch { return []; }
});
const fdsBefore = fdList();
const loop = new uv.Loop();
const n = { reads: 0, listens: 0, connReads: 0, replies: 0, handBack: 0, closes: 0 };
const p = new uv.Pipe(loop, true);
p.open(3);
p.startRead((err, data) => {
  assert.equal(err, null);
  if (data === null) return p.close(() => n.closes++); // the parent is done with us
  n.reads++;
  assert.equal(data.toString(), 'take');
  assert.equal(p.pendingHandleType(), uv.UV_TCP);
  const srv = new uv.TCP(loop);
  p.accept(srv);
  assert.equal(p.pendingHandleType(), uv.UV_UNKNOWN_HANDLE);
  srv.listen((e, s) => {
    assert.equal(e, null);
    n.listens++;
    const conn = new uv.TCP(loop);
    s.accept(conn);
    // One connection only: the server goes back to the parent at once.
    p.write('back', (we) => { assert.equal(we, null); n.handBack++; }, srv);
    srv.close(() => n.closes++);
    conn.startRead((re, d) => {
      assert.equal(re, null);
      assert.notEqual(d, null);
      n.connReads++;
      conn.write('child ' + process.pid + ' got ' + d, (we) => {
        assert.equal(we, null);
        n.replies++;
        conn.close(() => n.closes++);
      });
    });
  });
});
loop.run();
loop.close();
const fdsAfter = fdList();
process.stdout.write(JSON.stringify({ n, leaked: fdsAfter.filter((fd) => !fdsBefore.includes(fd)),
  closed: fdsBefore.filter((fd) => !fdsAfter.includes(fd)) }));
`;

describe('IPC with a child process', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-ipc-'));
  });
  // Registered before useLoop's teardown, so it runs after it (mocha runs
  // afterEach hooks in reverse), with every handle already closed.
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const t = useLoop();

  it('a listening TCP server goes to a child over fd 3, serves one connection there, and comes back', () => {
    const loop = t.loop;
    const out = fs.openSync(path.join(dir, 'out'), 'w');
    const err = fs.openSync(path.join(dir, 'err'), 'w');
    const server = new TCP(loop);
    server.bind('127.0.0.1', 0);
    const port = server.getsockname().port;
    server.listen(() => assert.fail('the parent closed its copy before handing it over'));
    const pipe = new Pipe(loop, true);
    const n = { sent: 0, reads: 0, listens: 0, connects: 0, replies: 0, exits: 0, closes: 0 };
    const replies: string[] = [];
    let exit: [number, number] = [-1, -1];

    const proc = Process.spawn(loop, {
      args: [process.execPath, '-e', child],
      cwd: root,
      stdio: [
        new StdIO({ flags: UV_IGNORE }),
        new StdIO({ fd: out, flags: UV_INHERIT_FD }),
        new StdIO({ fd: err, flags: UV_INHERIT_FD }),
        new StdIO({ stream: pipe, flags: UV_CREATE_PIPE | UV_READABLE_PIPE | UV_WRITABLE_PIPE }),
      ],
    }, (status, signal, h) => {
      n.exits++;
      exit = [status, signal];
      guard.close(() => n.closes++);
      h.close(() => n.closes++);
    });
    fs.closeSync(out);
    fs.closeSync(err);
    // Bounds the test if the child hangs: killing it ends every wait below.
    const guard = new Timer(loop);
    guard.start(() => proc.kill('SIGKILL'), 10000);

    /** A client connection to the server that records the single reply it gets. */
    function connect(then?: () => void) {
      const c = new TCP(loop);
      let got = '';
      c.connect('127.0.0.1', port, (e) => {
        assert.equal(e, null);
        n.connects++;
        c.write(`hello ${n.connects}`, (we) => assert.equal(we, null));
        c.startRead((re, d) => {
          assert.equal(re, null);
          if (d !== null) return void (got += d.toString());
          replies.push(got);
          c.close(() => n.closes++);
          if (then) then();
        });
      });
    }

    pipe.write('take', (e, h) => {
      assert.equal(e, null);
      assert.equal(h, pipe);
      n.sent++;
    }, server);
    server.close(() => n.closes++);
    // The first reply and the server's return race; whichever lands last
    // starts the second client, whose end closes the pipe: EOF lets the child finish.
    let serverBack = false;
    const second = () => {
      if (serverBack && replies.length === 1) connect(() => pipe.close(() => n.closes++));
    };
    connect(second); // served by the child: the parent holds no copy of the server now

    pipe.startRead((e, data) => {
      assert.equal(e, null);
      assert.notEqual(data, null, 'the child closed the pipe without handing the server back');
      n.reads++;
      assert.equal(data!.toString(), 'back');
      assert.equal(pipe.pendingHandleType(), UV_TCP);
      const back = new TCP(loop);
      pipe.accept(back);
      assert.equal(pipe.pendingHandleType(), UV_UNKNOWN_HANDLE);
      assert.equal(back.getsockname().port, port);
      back.listen((le, s) => {
        assert.equal(le, null);
        n.listens++;
        const conn = new TCP(loop);
        s.accept(conn);
        back.close(() => n.closes++);
        conn.startRead((re, d) => {
          assert.equal(re, null);
          assert.notEqual(d, null);
          conn.write(`parent ${process.pid} got ${d}`, (we) => {
            assert.equal(we, null);
            n.replies++;
            conn.close(() => n.closes++);
          });
        });
      });
      serverBack = true;
      second();
    });

    loop.run();

    const childOut = fs.readFileSync(path.join(dir, 'out'), 'utf8');
    const childErr = fs.readFileSync(path.join(dir, 'err'), 'utf8');
    assert.deepEqual(exit, [0, 0], `child failed: ${childErr}`);
    assert.equal(childErr, '');
    const report = JSON.parse(childOut);
    assert.deepEqual(report.n, { reads: 1, listens: 1, connReads: 1, replies: 1, handBack: 1, closes: 3 });
    assert.deepEqual(report.leaked, [], 'fds the child left open');
    assert.equal(report.closed.length, 1, 'the child closed its end of the IPC pipe, and only that');
    assert.match(report.closed[0], /^3 socket:\[\d+\]$/);
    assert.deepEqual(replies, [`child ${proc.pid} got hello 1`, `parent ${process.pid} got hello 2`]);
    assert.deepEqual(n, { sent: 1, reads: 1, listens: 1, connects: 2, replies: 1, exits: 1, closes: 8 });
    assert.equal(loop.handles.length, 0);
  });
});
