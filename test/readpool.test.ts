// Small reads (<= 4 KiB) of TCP, Pipe and UDP are views of a shared 64 KiB
// pool (native/readpool.h): every read must still behave as a Buffer of its
// own that the user may keep and modify.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Loop, Pipe, TCP, Timer, UDP, UVError } from '../lib/index';
import { useLoop } from './helpers';

const COUNT = 150; // 150 reads of 1000 bytes fill more than two pools
const SIZE = 1000;

/** Message i: bytes that differ from those of every other message. */
function message(i: number, size = SIZE): Buffer {
  const b = Buffer.alloc(size);
  for (let j = 0; j < size; j++) b[j] = (i * 7 + j * 13) & 0xff;
  b.writeUInt16BE(i, 0);
  return b;
}

/**
 * Records each read as the user keeps it. Every other read is overwritten by
 * the user at once (it must not change any other read); the rest must keep
 * their bytes through every later read.
 */
class Keeper {
  kept: Buffer[] = [];
  expected: Buffer[] = [];
  received: Buffer[] = [];

  add(data: Buffer): void {
    assert.equal(Object.getPrototypeOf(data), Buffer.prototype);
    this.received.push(Buffer.from(data));
    this.kept.push(data);
    if (this.kept.length % 2 === 0) data.fill(0xee);
    this.expected.push(Buffer.from(data));
  }

  check(sent: Buffer, poolSize = 64 * 1024): void {
    assert.deepEqual(Buffer.concat(this.received), sent);
    for (let k = 0; k < this.kept.length; k++) assert.deepEqual(this.kept[k], this.expected[k], `read ${k}`);
    // No two kept reads share memory; pooled ones are 8-byte aligned.
    const byPool = new Map<ArrayBufferLike, Buffer[]>();
    for (const b of this.kept) {
      assert.equal(b.byteOffset % 8, 0);
      byPool.set(b.buffer, [...(byPool.get(b.buffer) ?? []), b]);
    }
    assert.ok(byPool.size >= 3, `${byPool.size} pools for ${this.kept.length} reads`);
    for (const views of byPool.values()) {
      views.sort((a, b) => a.byteOffset - b.byteOffset);
      for (let k = 1; k < views.length; k++) {
        assert.ok(views[k - 1].byteOffset + views[k - 1].length <= views[k].byteOffset, 'overlapping reads');
      }
      assert.ok(views[views.length - 1].byteOffset + views[views.length - 1].length <= poolSize);
    }
  }
}

/** Bounds a test: after `ms`, closes every handle of the loop. */
function deadline(loop: Loop, ms: number) {
  const t = new Timer(loop);
  t.start(() => {
    for (const h of loop.handles) if (!h.closed) h.close();
  }, ms);
  t.ref = false;
}

/** What pingPong uses of a TCP or Pipe. */
interface Conn {
  startRead(cb: (err: UVError | null, data: Buffer | null) => void): void;
  write(data: Buffer): void;
  close(): void;
}

/**
 * The client sends message i once the echo of i - 1 is complete, so the
 * server's reads come one message at a time; the server keeps them all.
 */
function pingPong(loop: Loop, server: Conn, client: Conn, accepted: Conn, done: () => void, size = SIZE,
                  count = COUNT): Keeper {
  const keeper = new Keeper();
  accepted.startRead((err, data) => {
    assert.equal(err, null);
    if (data === null) return accepted.close();
    keeper.add(data);
    accepted.write(keeper.received[keeper.received.length - 1]);
  });
  let echoed = 0;
  let next = 0;
  client.startRead((err, data) => {
    assert.equal(err, null);
    echoed += data!.length;
    if (echoed === next * size) send();
  });
  const send = () => {
    if (next === count) {
      client.close();
      server.close();
      done();
      return;
    }
    client.write(message(next++, size));
  };
  send();
  deadline(loop, 10000);
  return keeper;
}

const allSent = () => Buffer.concat(Array.from({ length: COUNT }, (_, i) => message(i)));

describe('read pool', () => {
  const t = useLoop();

  /** Message ping-pong of `count` messages of `size` bytes over TCP; the server keeps every read. */
  function tcpPingPong(size: number, count: number): Keeper {
    const server = new TCP(t.loop);
    server.bind('127.0.0.1', 0);
    let keeper: Keeper | null = null;
    let finished = false;
    const client = new TCP(t.loop);
    server.listen((err) => {
      assert.equal(err, null);
      const c = new TCP(t.loop);
      server.accept(c);
      keeper = pingPong(t.loop, server, client, c, () => (finished = true), size, count);
    });
    client.connect('127.0.0.1', server.getsockname().port, (err) => assert.equal(err, null));
    t.loop.run();
    assert.ok(finished);
    return keeper!;
  }

  it('TCP: kept reads never alias, survive later reads and pool changes, and may be modified', () => {
    tcpPingPong(SIZE, COUNT).check(allSent());
  });

  it('TCP, reads of 20 KiB (made straight into the 256 KiB pool): kept reads never alias, survive, may be modified', () => {
    const size = 20 * 1024;
    const count = 40; // 800 KiB: more than three pools
    const keeper = tcpPingPong(size, count);
    keeper.check(Buffer.concat(Array.from({ length: count }, (_, i) => message(i, size))), 256 * 1024);
    // Reads of 20 KiB may arrive split; whole ones share 256 KiB pools.
    assert.ok(keeper.kept.some((b) => b.length > 4096 && b.buffer.byteLength === 256 * 1024));
  });

  it('Pipe: kept reads never alias, survive later reads and pool changes, and may be modified', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-readpool-'));
    try {
      const name = path.join(dir, 'p.sock');
      const server = new Pipe(t.loop);
      server.bind(name);
      let keeper: Keeper | null = null;
      let finished = false;
      const client = new Pipe(t.loop);
      server.listen((err) => {
        assert.equal(err, null);
        const c = new Pipe(t.loop);
        server.accept(c);
        keeper = pingPong(t.loop, server, client, c, () => (finished = true));
      });
      client.connect(name, (err) => assert.equal(err, null));
      t.loop.run();
      assert.ok(finished);
      keeper!.check(allSent());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('UDP: kept datagrams never alias, survive later ones and pool changes, and may be modified', () => {
    deadline(t.loop, 10000);
    const server = new UDP(t.loop);
    server.bind('127.0.0.1', 0);
    const client = new UDP(t.loop);
    client.bind('127.0.0.1', 0);
    const keeper = new Keeper();
    server.startRecv((err, data, addr) => {
      assert.equal(err, null);
      keeper.add(data!);
      assert.deepEqual(addr, client.getsockname());
      if (keeper.kept.length === COUNT) server.close();
      else client.send('127.0.0.1', server.getsockname().port, message(keeper.kept.length));
    });
    client.send('127.0.0.1', server.getsockname().port, message(0));
    t.loop.run();
    client.close();
    assert.equal(keeper.kept.length, COUNT);
    keeper.check(allSent());
  });

  it('a kept read cannot be transferred away from the pool that later reads go into', () => {
    deadline(t.loop, 5000);
    const server = new UDP(t.loop);
    server.bind('127.0.0.1', 0);
    const client = new UDP(t.loop);
    const got: Buffer[] = [];
    server.startRecv((err, data) => {
      got.push(data!);
      if (got.length === 1) {
        // Node 20 leaves an untransferable buffer in place (later versions
        // throw DataCloneError): either way the pool stays with the reads.
        try {
          structuredClone(data!.buffer, { transfer: [data!.buffer as ArrayBuffer] });
        } catch (e) {
          assert.equal((e as Error).name, 'DataCloneError');
        }
        assert.equal(data!.toString(), 'first');
        client.send('127.0.0.1', server.getsockname().port, 'second');
      } else {
        server.close();
        client.close();
      }
    });
    client.send('127.0.0.1', server.getsockname().port, 'first');
    t.loop.run();
    assert.deepEqual(got.map((b) => b.toString()), ['first', 'second']);
    assert.equal(got[0].buffer, got[1].buffer);
  });
});
