import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { root } from './helpers';

// The benchmark harness (bench/run.js) works end to end: its C client and C
// baseline build, each kind of server answers, and the client's figures are
// consistent. A short smoke run, not a measurement.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const bench = require(path.join(root, 'bench', 'run.js'));

interface Server {
  port: number;
  next(pred: (m: Record<string, number>) => boolean, ms?: number): Promise<Record<string, number>>;
}

describe('bench harness', function () {
  this.timeout(60000);
  before(() => bench.build());

  for (const impl of ['uvkit', 'uvkit-attached', 'node', 'c']) {
    it(`${impl}: TCP echo (1 KiB, 16 KiB), pump and UDP echo round trips are counted`, async () => {
      for (const kind of ['echo', 'sink', 'udp']) {
        const s: Server = await bench.startServer(impl, kind);
        try {
          if (kind === 'echo') {
            for (const size of [1024, 16384]) {
              const r = bench.client('echo', s.port, 3, size, 50, 200);
              assert.equal(r.mode, 'echo');
              assert.ok(r.count > 10, `${impl} echo ${size}: ${r.count} round trips`);
              assert.ok(r.p50us > 0 && r.p50us <= r.p99us && r.p99us <= r.maxus, JSON.stringify(r));
            }
          } else if (kind === 'sink') {
            const r = bench.client('pump', s.port, 1, 65536, 100, 500);
            assert.ok(r.bytes > 0, `${impl} pump: ${r.bytes} bytes`);
          } else {
            const r = bench.client('udp', s.port, 2, 64, 50, 200);
            assert.ok(r.count > 10, `${impl} udp: ${r.count} round trips`);
          }
        } finally {
          await bench.stopServer(s);
        }
      }
    });
  }

  it('uvkit-buffer (reads into one caller\'s buffer): TCP echo (1 KiB, 16 KiB) and pump are counted', async () => {
    for (const kind of ['echo', 'sink']) {
      const s: Server = await bench.startServer('uvkit-buffer', kind);
      try {
        if (kind === 'echo') {
          for (const size of [1024, 16384]) {
            const r = bench.client('echo', s.port, 3, size, 50, 200);
            assert.equal(r.mode, 'echo');
            assert.ok(r.count > 10, `uvkit-buffer echo ${size}: ${r.count} round trips`);
          }
          // The load client counts bytes only: check what comes back.
          const sent = Buffer.alloc(300000);
          for (let i = 0; i < sent.length; i++) sent[i] = (i * 31 + (i >> 9)) & 255;
          const back = await new Promise<Buffer>((resolve, reject) => {
            const parts: Buffer[] = [];
            let n = 0;
            const sock = require('net').connect(s.port, '127.0.0.1', () => sock.write(sent));
            sock.on('data', (d: Buffer) => {
              parts.push(d);
              n += d.length;
              if (n >= sent.length) sock.end();
            });
            sock.on('error', reject);
            sock.on('close', () => resolve(Buffer.concat(parts)));
          });
          assert.ok(back.equals(sent), 'the echo differs');
        } else {
          const r = bench.client('pump', s.port, 1, 65536, 100, 500);
          assert.ok(r.bytes > 0, `uvkit-buffer pump: ${r.bytes} bytes`);
        }
      } finally {
        await bench.stopServer(s);
      }
    }
  });

  it('uvloop (when installed): TCP and UDP echo round trips are counted; else the probe says why', async () => {
    const found = bench.findUvloop();
    if (!found.python) {
      assert.match(found.missing, /^uvloop not found \(.+: .+\)$/);
      return;
    }
    assert.match(found.version, /^\d+\.\d+/);
    for (const kind of ['echo', 'udp']) {
      const s: Server = await bench.startServer('uvloop', kind);
      try {
        const r = kind === 'echo' ? bench.client('echo', s.port, 3, 16384, 50, 200) : bench.client('udp', s.port, 2, 64, 50, 200);
        assert.ok(r.count > 10, `uvloop ${kind}: ${r.count} round trips`);
      } finally {
        await bench.stopServer(s);
      }
    }
  });

  it('a Python without uvloop is reported, not installed into', () => {
    const r = bench.findUvloop('/nonexistent/python3');
    assert.equal(r.python, undefined);
    assert.equal(r.missing, 'uvloop not found (/nonexistent/python3: ENOENT)');
  });

  it('tls: the uvkit and node TLS echo servers answer the TLS client', async () => {
    const cert = bench.makeTlsCert();
    try {
      for (const impl of ['uvkit', 'node']) {
        const s: Server = await bench.startServer(impl, 'tls', [], cert.env);
        try {
          const r = bench.tlsClient(s.port, 3, 1024, 50, 200);
          assert.equal(r.mode, 'tls-echo');
          assert.ok(r.count > 10, `${impl} tls echo: ${r.count} round trips`);
          assert.ok(r.seconds > 0 && Math.abs(r.perSec - r.count / r.seconds) < 1, JSON.stringify(r));
          assert.ok(r.p50us > 0 && r.p50us <= r.p99us && r.p99us <= r.maxus, JSON.stringify(r));
        } finally {
          await bench.stopServer(s);
        }
      }
    } finally {
      fs.rmSync(cert.dir, { recursive: true, force: true });
    }
  });

  it('hold: the server reports its RSS before and after the connections', async () => {
    const { spawn } = await import('child_process');
    process.env.HOLD_REPORT = '50';
    const s: Server = await bench.startServer('uvkit', 'hold', ['--expose-gc']);
    delete process.env.HOLD_REPORT;
    try {
      const before = await s.next((m) => 'rss' in m && !('held' in m));
      const holder = spawn(path.join(root, 'bench', 'bin', 'loadclient'), ['hold', String(s.port), '100'], {
        stdio: ['pipe', 'ignore', 'inherit'],
      });
      const after = await s.next((m) => m.held === 100);
      assert.ok(before.rss > 0 && after.rss > 0);
      holder.stdin!.end();
      await new Promise((resolve) => holder.once('exit', resolve));
    } finally {
      await bench.stopServer(s);
    }
  });
});
