import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as os from 'os';
import { Worker } from 'worker_threads';
import { TCP, TCPError, UDP, UDPError, UV_TCP_REUSEPORT, UV_UDP_REUSEPORT, UVError, features, fs, util } from '../lib/index';
import { libuvAtLeast, root, throwsLike, useLoop } from './helpers';

// Each feature is there exactly where the running libuv has it; without it
// a call is ENOTSUP, with it the call does what libuv does.
describe('features', () => {
  const t = useLoop();

  it('is a frozen object of booleans that follows the running libuv', () => {
    assert.ok(Object.isFrozen(features));
    assert.deepEqual(features, {
      tcpReusePort: libuvAtLeast(49),
      udpReusePort: libuvAtLeast(49),
      tcpKeepaliveEx: libuvAtLeast(52),
      udpTrySendMany: libuvAtLeast(50),
      threadPriority: libuvAtLeast(48),
      threadName: libuvAtLeast(50),
      getrusageThread: libuvAtLeast(50),
      fsUtimeNowOmit: libuvAtLeast(51),
      statfsFrsize: libuvAtLeast(52),
      ioUringSqpoll: libuvAtLeast(49),
    });
  });

  it('UV_TCP_REUSEPORT: two listeners on one port, or TCPError ENOTSUP', () => {
    const a = new TCP(t.loop);
    if (!features.tcpReusePort) {
      throwsLike(() => a.bind('127.0.0.1', 0, UV_TCP_REUSEPORT), TCPError, { code: 'ENOTSUP', syscall: 'bind' });
      return;
    }
    a.bind('127.0.0.1', 0, UV_TCP_REUSEPORT);
    a.listen(() => {});
    const b = new TCP(t.loop);
    b.bind('127.0.0.1', a.getsockname().port, UV_TCP_REUSEPORT);
    b.listen(() => {});
    assert.equal(b.getsockname().port, a.getsockname().port);
    // Without the flag the port is taken.
    const c = new TCP(t.loop);
    c.bind('127.0.0.1', a.getsockname().port);
    assert.throws(() => c.listen(() => {}), { code: 'EADDRINUSE' });
  });

  it('UV_UDP_REUSEPORT: two sockets on one port, or UDPError ENOTSUP', () => {
    const a = new UDP(t.loop);
    if (!features.udpReusePort) {
      throwsLike(() => a.bind('127.0.0.1', 0, UV_UDP_REUSEPORT), UDPError, { code: 'ENOTSUP', syscall: 'bind' });
      return;
    }
    a.bind('127.0.0.1', 0, UV_UDP_REUSEPORT);
    const b = new UDP(t.loop);
    b.bind('127.0.0.1', a.getsockname().port, UV_UDP_REUSEPORT);
    assert.equal(b.getsockname().port, a.getsockname().port);
  });

  it('keepalive(on, delay, interval, count) sets all three, or TCPError ENOTSUP', () => {
    const server = new TCP(t.loop);
    server.bind('127.0.0.1', 0);
    server.listen((err) => {
      const conn = new TCP(t.loop);
      server.accept(conn);
      conn.close();
      server.close();
    });
    const client = new TCP(t.loop);
    let checked = false;
    client.connect('127.0.0.1', server.getsockname().port, (err) => {
      assert.equal(err, null);
      if (!features.tcpKeepaliveEx) {
        throwsLike(() => client.keepalive(true, 5000, 3000, 4), TCPError, { code: 'ENOTSUP', syscall: 'keepalive' });
      } else {
        client.keepalive(true, 5000, 2500, 4); // libuv takes whole seconds: 2500 ms -> 3 s
        // Read the options back from another process that inherits the socket.
        const py = spawnSync('python3', ['-c', `
import socket
s = socket.socket(fileno=3)
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0,
      s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
      s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
      s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT))
s.detach()`], { stdio: ['ignore', 'pipe', 'inherit', client.fileno()], encoding: 'utf8' });
        assert.equal(py.stdout.trim(), 'True 5 3 4');
      }
      assert.throws(() => client.keepalive(true, 5000, 1000, 0), RangeError);
      checked = true;
      client.close();
    });
    t.loop.run();
    assert.ok(checked);
  });

  it('fs.statfs reports frsize where libuv has it, as statvfs(3) does', () => {
    const st = fs.statfs(t.loop, os.tmpdir());
    if (!features.statfsFrsize) {
      assert.equal('frsize' in st, false);
      return;
    }
    const py = spawnSync('python3', ['-c', 'import os,sys; print(os.statvfs(sys.argv[1]).f_frsize)', os.tmpdir()],
      { encoding: 'utf8' });
    assert.equal(st.frsize, Number(py.stdout.trim()));
  });

  it('getrusageThread() counts this thread only, or ENOTSUP', () => {
    if (!features.getrusageThread) {
      throwsLike(() => util.getrusageThread(), UVError, { code: 'ENOTSUP', syscall: 'uv_getrusage_thread' });
      return;
    }
    const before = util.getrusageThread();
    const until = Date.now() + 60;
    while (Date.now() < until); // burn CPU on this thread
    const after = util.getrusageThread();
    assert.ok(after.utime + after.stime > before.utime + before.stime);
    assert.ok(after.utime <= util.getrusage().utime);
  });

  it('thread names and priorities of the calling thread (a worker), or ENOTSUP', async () => {
    const w = new Worker(
      `const { parentPort } = require('worker_threads');
       const { util, features } = require(${JSON.stringify(root)});
       const out = {};
       try { util.threadSetName('uvkit-worker'); out.name = util.threadGetName(); } catch (e) { out.name = e.code; }
       try { util.threadSetPriority(-1); out.priority = util.threadGetPriority(); } catch (e) { out.priority = e.code; }
       try { util.threadSetPriority(3); } catch (e) { out.range = e.constructor.name; }
       parentPort.postMessage(out);`,
      { eval: true },
    );
    const out = await new Promise<Record<string, unknown>>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    assert.deepEqual(out, {
      name: features.threadName ? 'uvkit-worker' : 'ENOTSUP',
      // Under Linux's default policy libuv sets priority p as nice -2p and
      // reads back the nice value.
      priority: features.threadPriority ? 2 : 'ENOTSUP',
      range: 'RangeError',
    });
  });
});
