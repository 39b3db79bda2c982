import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Loop, UVError, dns, errno } from '../lib/index';
import { throwsLike, useLoop } from './helpers';

describe('dns', () => {
  const t = useLoop();

  describe('getaddrinfo', () => {
    it('resolves localhost synchronously, one entry per socket type', () => {
      const res = dns.getaddrinfo(t.loop, 'localhost', 80);
      const v4 = res.filter((r) => r.family === dns.AF_INET);
      assert.ok(v4.length >= 1, JSON.stringify(res));
      for (const r of v4) assert.deepEqual(r.address, { address: '127.0.0.1', port: 80, family: 'IPv4' });
      const tcp = v4.find((r) => r.socktype === dns.SOCK_STREAM)!;
      assert.deepEqual(tcp, {
        family: dns.AF_INET, socktype: dns.SOCK_STREAM, protocol: dns.IPPROTO_TCP, canonname: null,
        address: { address: '127.0.0.1', port: 80, family: 'IPv4' },
      });
    });

    it('takes family, socktype and protocol hints; numbers or IPv4/IPv6 strings', () => {
      const udp = dns.getaddrinfo(t.loop, '127.0.0.1', 53, { socktype: dns.SOCK_DGRAM });
      assert.deepEqual(udp, [{
        family: dns.AF_INET, socktype: dns.SOCK_DGRAM, protocol: dns.IPPROTO_UDP, canonname: null,
        address: { address: '127.0.0.1', port: 53, family: 'IPv4' },
      }]);
      const six = { family: dns.AF_INET6, socktype: dns.SOCK_STREAM, protocol: dns.IPPROTO_TCP, canonname: null,
        address: { address: '::1', port: 8080, family: 'IPv6', flowinfo: 0, scopeId: 0 } };
      assert.deepEqual(dns.getaddrinfo(t.loop, '::1', 8080, { family: 'IPv6', socktype: dns.SOCK_STREAM }), [six]);
      assert.deepEqual(
        dns.getaddrinfo(t.loop, '::1', 8080, { family: dns.AF_INET6, protocol: dns.IPPROTO_TCP }), [six]);
      throwsLike(() => dns.getaddrinfo(t.loop, '127.0.0.1', 80, { family: 'IPv6' }), UVError, {
        code: 'EAI_ADDRFAMILY', errno: errno.UV_EAI_ADDRFAMILY, syscall: 'getaddrinfo',
      });
    });

    it('accepts a service name as port', () => {
      const res = dns.getaddrinfo(t.loop, '127.0.0.1', 'http', { socktype: dns.SOCK_STREAM });
      assert.equal(res.length, 1);
      assert.equal(res[0].address.port, 80);
      throwsLike(() => dns.getaddrinfo(t.loop, '127.0.0.1', 'no-such-service-here'), UVError, {
        code: 'EAI_SERVICE', syscall: 'getaddrinfo',
      });
      throwsLike(() => dns.getaddrinfo(t.loop, '127.0.0.1', 'http', { flags: dns.AI_NUMERICSERV }), UVError, {
        code: 'EAI_NONAME',
      });
    });

    it('AI_CANONNAME names the first entry; AI_PASSIVE with host null gives the wildcard', () => {
      const res = dns.getaddrinfo(t.loop, 'localhost', null, { flags: dns.AI_CANONNAME, family: 'IPv4' });
      assert.equal(res[0].canonname, 'localhost');
      assert.ok(res.slice(1).every((r) => r.canonname === null));
      const any = dns.getaddrinfo(t.loop, null, 8080, {
        flags: dns.AI_PASSIVE, family: dns.AF_INET, socktype: dns.SOCK_STREAM,
      });
      assert.deepEqual(any.map((r) => r.address), [{ address: '0.0.0.0', port: 8080, family: 'IPv4' }]);
    });

    it('throws UVError EAI_NONAME for a name that may not be looked up', () => {
      throwsLike(() => dns.getaddrinfo(t.loop, 'localhost', 80, { flags: dns.AI_NUMERICHOST }), UVError, {
        code: 'EAI_NONAME', errno: errno.UV_EAI_NONAME, syscall: 'getaddrinfo',
        message: 'EAI_NONAME: unknown node or service, getaddrinfo',
      });
    });

    it('with a callback: returns a request and calls back once, on the loop', () => {
      const calls: unknown[][] = [];
      const req = dns.getaddrinfo(t.loop, '127.0.0.1', 7, { socktype: dns.SOCK_DGRAM }, (err, res, r) => {
        calls.push([err, res, r]);
      });
      assert.ok(req instanceof dns.DNSRequest);
      assert.equal(req.loop, t.loop);
      req.data = 'mine';
      assert.equal(calls.length, 0);
      assert.equal(t.loop.alive, true); // the request keeps the loop alive
      t.loop.run();
      assert.equal(calls.length, 1);
      const [err, res, r] = calls[0];
      assert.equal(err, null);
      assert.deepEqual((res as dns.AddrInfo[]).map((x) => x.address), [{ address: '127.0.0.1', port: 7, family: 'IPv4' }]);
      assert.equal(r, req);
      assert.equal(req.data, 'mine');
      assert.equal(req.cancel(), false); // done
      assert.equal(t.loop.alive, false);
    });

    it('the callback forms: (loop, host, cb), (loop, host, port, cb)', () => {
      let calls = 0;
      dns.getaddrinfo(t.loop, '127.0.0.1', (err, res) => {
        assert.equal(err, null);
        assert.equal(res![0].address.port, 0);
        calls++;
      });
      dns.getaddrinfo(t.loop, '::1', 9, (err, res) => {
        assert.equal(err, null);
        assert.equal(res![0].address.port, 9);
        calls++;
      });
      t.loop.run();
      assert.equal(calls, 2);
    });

    it('passes errors to the callback', () => {
      const got: [UVError | null, unknown][] = [];
      dns.getaddrinfo(t.loop, 'localhost', 80, { flags: dns.AI_NUMERICHOST }, (err, res) => got.push([err, res]));
      t.loop.run();
      assert.equal(got.length, 1);
      assert.ok(got[0][0] instanceof UVError);
      assert.equal(got[0][0]!.code, 'EAI_NONAME');
      assert.equal(got[0][0]!.syscall, 'getaddrinfo');
      assert.equal(got[0][1], null);
    });

    it('a pending request needs no reference to it', () => {
      let calls = 0;
      (() => {
        dns.getaddrinfo(t.loop, '127.0.0.1', 1, {}, () => calls++);
      })();
      if (global.gc) global.gc();
      t.loop.run();
      assert.equal(calls, 1);
    });

    it('cancel() stops a request still waiting for the threadpool: EAI_CANCELED', async () => {
      // Occupy every threadpool thread with a blocking read of a FIFO.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-dns-'));
      const fifo = path.join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      const fd = fs.openSync(fifo, fs.constants.O_RDWR);
      const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
      const reads: Promise<void>[] = [];
      for (let i = 0; i < threads; i++) {
        reads.push(new Promise((resolve, reject) => {
          fs.read(fd, Buffer.alloc(1), 0, 1, null, (err) => (err ? reject(err) : resolve()));
        }));
      }
      try {
        await new Promise((r) => setTimeout(r, 50)); // the reads reach the pool threads
        const got: [UVError | null, unknown][] = [];
        const req = dns.getaddrinfo(t.loop, '127.0.0.1', 80, {}, (err, res) => got.push([err, res]));
        assert.equal(req.cancel(), true);
        t.loop.run();
        assert.equal(got.length, 1);
        assert.ok(got[0][0] instanceof UVError);
        assert.equal(got[0][0]!.code, 'EAI_CANCELED');
        assert.equal(got[0][0]!.errno, errno.UV_EAI_CANCELED);
        assert.equal(got[0][1], null);
        assert.equal(req.cancel(), false);
      } finally {
        for (let i = 0; i < threads; i++) fs.writeSync(fd, 'x');
        await Promise.all(reads);
        fs.closeSync(fd);
        fs.rmSync(dir, { recursive: true });
      }
    });

    it('works on an attached loop, calling back from Node\'s loop', async () => {
      t.loop.attach();
      const res = await new Promise<dns.AddrInfo[]>((resolve, reject) => {
        dns.getaddrinfo(t.loop, '127.0.0.1', 5, {}, (err, r) => (err ? reject(err) : resolve(r!)));
      });
      assert.equal(res[0].address.port, 5);
      t.loop.detach();
    });

    it('rejects wrong argument types and values', () => {
      const cb = () => {};
      assert.throws(() => dns.getaddrinfo({} as Loop, 'localhost'), TypeError);
      assert.throws(() => dns.getaddrinfo(t.loop, 42 as any), TypeError);
      assert.throws(() => dns.getaddrinfo(t.loop, null), TypeError); // neither host nor port
      assert.throws(() => dns.getaddrinfo(t.loop, '', ''), TypeError);
      assert.throws(() => dns.getaddrinfo(t.loop, 'localhost', -1), RangeError);
      assert.throws(() => dns.getaddrinfo(t.loop, 'localhost', 65536), RangeError);
      assert.throws(() => dns.getaddrinfo(t.loop, 'localhost', {} as any), TypeError);
      assert.throws(() => dns.getaddrinfo(t.loop, 'localhost', 80, 'opts' as any), TypeError);
      assert.throws(() => dns.getaddrinfo(t.loop, 'localhost', 80, { family: 7 }), RangeError);
      assert.throws(() => dns.getaddrinfo(t.loop, 'localhost', 80, { family: 'IPv5' as any }), TypeError);
      assert.throws(() => dns.getaddrinfo(t.loop, 'localhost', 80, { socktype: 99 }), RangeError);
      assert.throws(() => dns.getaddrinfo(t.loop, 'localhost', 80, { protocol: -1 }), RangeError);
      assert.throws(() => dns.getaddrinfo(t.loop, 'localhost', 80, { flags: '1' as any }), TypeError);
      assert.throws(() => dns.getaddrinfo(t.loop, 'localhost', 80, {}, 'cb' as any), TypeError);
      assert.equal(t.loop.alive, false); // nothing was started
      const closed = new Loop();
      closed.close();
      throwsLike(() => dns.getaddrinfo(closed, 'localhost', 80, {}, cb), Error, { code: 'ERR_LOOP_CLOSED' });
    });
  });

  describe('getnameinfo', () => {
    it('names an address and port, synchronously', () => {
      assert.deepEqual(dns.getnameinfo(t.loop, '127.0.0.1', 80), { host: 'localhost', service: 'http' });
      assert.deepEqual(dns.getnameinfo(t.loop, '::1', 53, dns.NI_NUMERICHOST | dns.NI_DGRAM),
        { host: '::1', service: 'domain' });
      assert.deepEqual(dns.getnameinfo(t.loop, '127.0.0.1', 80, dns.NI_NUMERICHOST | dns.NI_NUMERICSERV),
        { host: '127.0.0.1', service: '80' });
    });

    it('throws UVError for bad flags', () => {
      throwsLike(() => dns.getnameinfo(t.loop, '127.0.0.1', 80, 0x10000), UVError, {
        code: 'EAI_BADFLAGS', errno: errno.UV_EAI_BADFLAGS, syscall: 'getnameinfo',
      });
    });

    it('with a callback: once, on the loop, errors included', () => {
      const got: unknown[][] = [];
      const req = dns.getnameinfo(t.loop, '127.0.0.1', 80, 0, (err, res, r) => got.push([err, res, r]));
      const bad = dns.getnameinfo(t.loop, '127.0.0.1', 80, 0x10000, (err, res, r) => got.push([err, res, r]));
      const short = dns.getnameinfo(t.loop, '::1', 22, (err, res, r) => got.push([err, res, r]));
      assert.equal(got.length, 0);
      t.loop.run();
      assert.equal(got.length, 3);
      const byReq = new Map(got.map((g) => [g[2], g]));
      assert.deepEqual(byReq.get(req)!.slice(0, 2), [null, { host: 'localhost', service: 'http' }]);
      const [err, res] = byReq.get(bad)!;
      assert.ok(err instanceof UVError);
      assert.equal((err as UVError).code, 'EAI_BADFLAGS');
      assert.equal(res, null);
      assert.equal((byReq.get(short)![1] as dns.NameInfo).service, 'ssh');
    });

    it('rejects wrong argument types and values', () => {
      assert.throws(() => dns.getnameinfo(t.loop, 'localhost', 80), TypeError);
      assert.throws(() => dns.getnameinfo(t.loop, 1 as any, 80), TypeError);
      assert.throws(() => dns.getnameinfo(t.loop, '127.0.0.1', 70000), RangeError);
      assert.throws(() => dns.getnameinfo(t.loop, '127.0.0.1', '80' as any), TypeError);
      assert.throws(() => dns.getnameinfo(t.loop, '127.0.0.1', 80, 'x' as any), TypeError);
      assert.throws(() => dns.getnameinfo(t.loop, '127.0.0.1', 80, 0, 5 as any), TypeError);
      assert.throws(() => dns.getnameinfo([] as any, '127.0.0.1', 80), TypeError);
      assert.equal(t.loop.alive, false);
    });
  });
});
