import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { UVError, constants, errno, util } from '../lib/index';
import { runNode, throwsLike } from './helpers';

describe('util', () => {
  it('hrtime() is a bigint nanosecond clock, the same one as process.hrtime.bigint()', () => {
    const a = process.hrtime.bigint();
    const b = util.hrtime();
    const c = process.hrtime.bigint();
    assert.equal(typeof b, 'bigint');
    assert.ok(a <= b && b <= c, `${a} <= ${b} <= ${c}`);
    const start = util.hrtime();
    const until = Date.now() + 20;
    while (Date.now() < until);
    const elapsed = util.hrtime() - start;
    assert.ok(elapsed >= 15_000_000n && elapsed < 5_000_000_000n, `elapsed ${elapsed} ns`);
  });

  it('memory figures match os and process', () => {
    assert.equal(util.getTotalMemory(), os.totalmem());
    const free = util.getFreeMemory();
    assert.ok(free > 0 && free <= util.getTotalMemory());
    assert.ok(Math.abs(free - os.freemem()) < os.totalmem() / 10, `free ${free} vs ${os.freemem()}`);
    assert.equal(util.getConstrainedMemory(), process.constrainedMemory());
    const rss = util.residentSetMemory();
    const nodeRss = process.memoryUsage.rss();
    assert.ok(Math.abs(rss - nodeRss) < nodeRss / 5, `rss ${rss} vs ${nodeRss}`);
  });

  it('loadavg() and uptime() match os', () => {
    const avg = util.loadavg();
    assert.equal(avg.length, 3);
    const nodeAvg = os.loadavg();
    for (let i = 0; i < 3; i++) {
      assert.ok(avg[i] >= 0);
      assert.ok(Math.abs(avg[i] - nodeAvg[i]) < 1, `loadavg[${i}] ${avg[i]} vs ${nodeAvg[i]}`);
    }
    const up = util.uptime();
    assert.ok(up > 0 && Math.abs(up - os.uptime()) < 2, `uptime ${up} vs ${os.uptime()}`);
  });

  it('interfaceAddresses() lists what os.networkInterfaces() lists, loopback included', () => {
    const list = util.interfaceAddresses();
    const mine = list.map((a) => `${a.name} ${a.address.address} ${a.physAddress} ${a.internal}`).sort();
    const nodes: string[] = [];
    for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
      for (const a of addrs ?? []) nodes.push(`${name} ${a.address} ${a.mac} ${a.internal}`);
    }
    assert.deepEqual(mine, nodes.sort());
    const lo = list.find((a) => a.address.address === '127.0.0.1');
    assert.ok(lo, 'no 127.0.0.1');
    assert.equal(lo.internal, true);
    assert.deepEqual(lo.address, { address: '127.0.0.1', port: 0, family: 'IPv4' });
    assert.deepEqual(lo.netmask, { address: '255.0.0.0', port: 0, family: 'IPv4' });
  });

  it('cpuInfo() matches os.cpus()', () => {
    const cpus = util.cpuInfo();
    const nodeCpus = os.cpus();
    assert.equal(cpus.length, nodeCpus.length);
    cpus.forEach((c, i) => {
      assert.equal(c.model, nodeCpus[i].model);
      assert.deepEqual(Object.keys(c.times), ['user', 'nice', 'sys', 'idle', 'irq']);
      assert.ok(c.times.user > 0 && c.times.idle >= 0);
    });
    assert.equal(util.availableParallelism(), os.availableParallelism());
  });

  it('getrusage() agrees with process.resourceUsage(), CPU times in ms', () => {
    const before = process.resourceUsage();
    const ru = util.getrusage();
    const after = process.resourceUsage();
    // Compared in whole microseconds: ms with a fraction are not exact in binary.
    const utimeUs = Math.round(ru.utime * 1000);
    const stimeUs = Math.round(ru.stime * 1000);
    assert.ok(utimeUs >= before.userCPUTime && utimeUs <= after.userCPUTime,
      `utime ${ru.utime} ms vs ${before.userCPUTime}..${after.userCPUTime} us`);
    assert.ok(stimeUs >= before.systemCPUTime && stimeUs <= after.systemCPUTime,
      `stime ${ru.stime} ms vs ${before.systemCPUTime}..${after.systemCPUTime} us`);
    assert.ok(ru.maxrss >= before.maxRSS && ru.maxrss <= after.maxRSS);
    assert.ok(ru.minflt >= before.minorPageFault && ru.nvcsw >= before.voluntaryContextSwitches);
    for (const k of ['ixrss', 'idrss', 'isrss', 'majflt', 'nswap', 'inblock', 'oublock',
      'msgsnd', 'msgrcv', 'nsignals', 'nivcsw'] as const) {
      assert.equal(typeof ru[k], 'number', k);
    }
  });

  it('guessHandleType() tells files, sockets, pipes and closed fds apart', async () => {
    const fd = fs.openSync(__filename, 'r');
    try {
      assert.equal(util.guessHandleType(fd), constants.UV_FILE);
    } finally {
      fs.closeSync(fd);
    }
    assert.equal(util.guessHandleType(fd), constants.UV_UNKNOWN_HANDLE);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const sfd = (server as unknown as { _handle: { fd: number } })._handle.fd;
      assert.equal(util.guessHandleType(sfd), constants.UV_TCP);
    } finally {
      server.close();
    }
    // A child whose stdin and stdout are pipes.
    const res = runNode(
      "const u = require('./').util; console.log(u.guessHandleType(0), u.guessHandleType(1))",
      { input: '' },
    );
    assert.equal(res.stderr, '');
    assert.equal(res.stdout.trim(), `${constants.UV_NAMED_PIPE} ${constants.UV_NAMED_PIPE}`);
    assert.throws(() => util.guessHandleType(-1), RangeError);
    assert.throws(() => util.guessHandleType(1.5), RangeError);
    assert.throws(() => util.guessHandleType('0' as any), TypeError);
  });

  it('exepath() is node; osGetHostname() and osUname() match os', () => {
    assert.equal(util.exepath(), process.execPath);
    assert.equal(util.osGetHostname(), os.hostname());
    assert.deepEqual(util.osUname(), {
      sysname: os.type(),
      release: os.release(),
      version: os.version(),
      machine: os.machine(),
    });
  });

  describe('cwd() and chdir()', () => {
    let tmp: string;
    let orig: string;
    beforeEach(() => {
      orig = util.cwd();
      tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-util-')));
    });
    afterEach(() => {
      util.chdir(orig);
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('cwd() is process.cwd(); chdir() changes the directory of the process', () => {
      assert.equal(util.cwd(), process.cwd());
      fs.writeFileSync(path.join(tmp, 'marker'), 'x');
      util.chdir(tmp);
      assert.equal(util.cwd(), tmp);
      assert.equal(fs.readFileSync('marker', 'utf8'), 'x'); // relative paths now resolve in tmp
      util.chdir('..');
      assert.equal(util.cwd(), path.dirname(tmp));
    });

    it('chdir() failures throw UVError with syscall and path', () => {
      const missing = path.join(tmp, 'missing');
      throwsLike(() => util.chdir(missing), UVError, {
        code: 'ENOENT', errno: errno.UV_ENOENT, syscall: 'uv_chdir', path: missing,
        message: `ENOENT: no such file or directory, uv_chdir '${missing}'`,
      });
      const file = path.join(tmp, 'file');
      fs.writeFileSync(file, '');
      throwsLike(() => util.chdir(file), UVError, { code: 'ENOTDIR', syscall: 'uv_chdir', path: file });
      assert.equal(util.cwd(), orig);
      assert.throws(() => util.chdir(1 as any), TypeError);
      assert.throws(() => util.chdir(`${tmp}\0x`), TypeError);
      assert.equal(util.cwd(), orig);
    });
  });

  it('the process title is process.title and can be set', () => {
    const orig = util.getProcessTitle();
    assert.equal(orig, process.title);
    try {
      util.setProcessTitle('uvkit-t');
      assert.equal(util.getProcessTitle(), 'uvkit-t');
      assert.equal(process.title, 'uvkit-t');
    } finally {
      util.setProcessTitle(orig);
    }
    assert.equal(util.getProcessTitle(), orig);
    assert.throws(() => util.setProcessTitle(null as any), TypeError);
  });
});
