// Parts of libuv added for issue 14 that live on existing handles: UDP
// source-specific multicast, batched sends and usingRecvmmsg; Pipe buffer
// sizes, pendingCount and tryWrite with a handle; utime NOW/OMIT.
import { strict as assert } from 'assert';
import * as nfs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  FSError, HandleClosedError, Pipe, PipeError, TCP, UDP, UDPError, UV_JOIN_GROUP, UV_LEAVE_GROUP, UV_TCP, features, fs, socketpair,
} from '../lib/index';
import { throwsLike, useLoop } from './helpers';

describe('the rest of libuv on existing handles', () => {
  const t = useLoop();

  it('UDP.trySendMany sends a batch in order, or UDPError ENOTSUP', () => {
    const rx = new UDP(t.loop);
    rx.bind('127.0.0.1', 0);
    const port = rx.getsockname().port;
    const tx = new UDP(t.loop);
    const items = ['one', 'two', 'three'].map((data) => ({ ip: '127.0.0.1', port, data }));
    assert.throws(() => tx.trySendMany([]), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => tx.trySendMany([{ ip: 'nope', port, data: 'x' }]), { code: 'ERR_INVALID_IP_ADDRESS' });
    if (!features.udpTrySendMany) {
      throwsLike(() => tx.trySendMany(items), UDPError, { code: 'ENOTSUP', syscall: 'send' });
      return;
    }
    assert.equal(tx.trySendMany(items), 3);
    const got: string[] = [];
    rx.startRecv((err, data) => {
      assert.equal(err, null);
      got.push(data!.toString());
      if (got.length === 3) {
        rx.close();
        tx.close();
      }
    });
    t.loop.run();
    assert.deepEqual(got, ['one', 'two', 'three']);
  });

  it('UDP.usingRecvmmsg is false for a socket made without UV_UDP_RECVMMSG', () => {
    const u = new UDP(t.loop);
    u.bind('127.0.0.1', 0);
    assert.equal(u.usingRecvmmsg, false);
    u.close();
    assert.equal(u.usingRecvmmsg, false);
  });

  it('UDP.setSourceMembership joins and leaves a source-specific group, and checks its arguments', () => {
    const u = new UDP(t.loop);
    u.bind('0.0.0.0', 0);
    u.setSourceMembership('232.1.2.3', '127.0.0.1', '127.0.0.1', UV_JOIN_GROUP);
    u.setSourceMembership('232.1.2.3', '127.0.0.1', '127.0.0.1', UV_LEAVE_GROUP);
    // Leaving again: the kernel no longer has it.
    throwsLike(() => u.setSourceMembership('232.1.2.3', '127.0.0.1', '127.0.0.1', UV_LEAVE_GROUP), UDPError,
      { syscall: 'setSourceMembership' });
    assert.throws(() => u.setSourceMembership('232.1.2.3', null, 'x', UV_JOIN_GROUP), { code: 'ERR_INVALID_IP_ADDRESS' });
    assert.throws(() => u.setSourceMembership('232.1.2.3', null, '127.0.0.1', 9), { code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('Pipe.tryWrite sends a handle with the bytes; pendingCount and pendingHandleType see it', () => {
    const [a, b] = socketpair('stream', true);
    const left = new Pipe(t.loop, true);
    const right = new Pipe(t.loop, true);
    left.open(a);
    right.open(b);
    const server = new TCP(t.loop);
    server.bind('127.0.0.1', 0);
    assert.equal(right.pendingCount(), 0);
    assert.equal(left.tryWrite('x', server), 1);
    let counted = -1;
    right.startRead((err, data) => {
      assert.equal(err, null);
      assert.equal(data!.toString(), 'x');
      counted = right.pendingCount();
      assert.equal(right.pendingHandleType(), UV_TCP);
      const got = new TCP(t.loop);
      right.accept(got);
      assert.equal(got.getsockname().port, server.getsockname().port);
      for (const h of [got, server, left, right]) h.close();
    });
    t.loop.run();
    assert.equal(counted, 1);
    // A pipe that is not IPC cannot send handles.
    const [c, d] = socketpair('stream', true);
    const plain = new Pipe(t.loop);
    plain.open(c);
    throwsLike(() => plain.tryWrite('x', server), HandleClosedError, { code: 'EBADF' }); // server is closed now
    const other = new TCP(t.loop, 'IPv4');
    throwsLike(() => plain.tryWrite('x', other), PipeError, { code: 'EINVAL', syscall: 'write' });
    plain.close();
    other.close();
    nfs.closeSync(d);
  });

  it('Pipe send and receive buffer sizes', () => {
    const [a, b] = socketpair('stream', true);
    const p = new Pipe(t.loop);
    p.open(a);
    p.sendBufferSize = 65536;
    p.receiveBufferSize = 65536;
    assert.ok(p.sendBufferSize >= 65536, String(p.sendBufferSize));
    assert.ok(p.receiveBufferSize >= 65536, String(p.receiveBufferSize));
    assert.throws(() => (p.sendBufferSize = 0), { code: 'ERR_OUT_OF_RANGE' });
    p.close();
    nfs.closeSync(b);
    const unopened = new Pipe(t.loop);
    assert.throws(() => unopened.sendBufferSize, { code: 'EBADF', syscall: 'sendBufferSize' });
  });

  it('fs.utime with UTIME_NOW and UTIME_OMIT, or FSError ENOTSUP', () => {
    const dir = nfs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-utime-'));
    try {
      const file = path.join(dir, 'f');
      nfs.writeFileSync(file, 'x');
      fs.utime(t.loop, file, 1_000_000, 2_000_000); // ms
      if (!features.fsUtimeNowOmit) {
        throwsLike(() => fs.utime(t.loop, file, fs.UTIME_NOW, fs.UTIME_OMIT), FSError, { code: 'ENOTSUP', syscall: 'utime' });
        return;
      }
      const before = Date.now();
      fs.utime(t.loop, file, fs.UTIME_NOW, fs.UTIME_OMIT);
      const st = nfs.statSync(file);
      assert.equal(st.mtimeMs, 2_000_000, 'mtime left as it was');
      assert.ok(st.atimeMs >= before - 1000, `atime ${st.atimeMs} is now`);
      const fd = nfs.openSync(file, 'r');
      fs.futime(t.loop, fd, fs.UTIME_OMIT, fs.UTIME_NOW);
      nfs.closeSync(fd);
      assert.ok(nfs.statSync(file).mtimeMs >= before - 1000);
    } finally {
      nfs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
