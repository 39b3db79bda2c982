import { strict as assert } from 'assert';
import * as uv from '../lib/index';
import { inspect } from 'util';
import { libuvAtLeast, runNode, throwsLike } from './helpers';

describe('errors, errno, constants', () => {
  it('UVError carries errno, code, syscall, path, dest and a Node-style message', () => {
    const e = new uv.FSError(uv.errno.UV_ENOENT, 'open', '/x');
    assert.equal(e.errno, -2);
    assert.equal(e.code, 'ENOENT');
    assert.equal(e.syscall, 'open');
    assert.equal(e.path, '/x');
    assert.equal(e.message, "ENOENT: no such file or directory, open '/x'");
    assert.equal(e.name, 'FSError');
    const r = new uv.FSError(uv.errno.UV_EXDEV, 'rename', '/a', '/b');
    assert.equal(r.dest, '/b');
    assert.equal(r.message, "EXDEV: cross-device link not permitted, rename '/a' -> '/b'");
    const bare = new uv.UVError(uv.errno.UV_EAGAIN);
    assert.equal(bare.message, 'EAGAIN: resource temporarily unavailable');
    assert.equal(bare.syscall, undefined);
  });

  it('a logged error shows only the fields that have values (issue 11)', () => {
    const bare = new uv.UVError(uv.errno.UV_EAGAIN, 'write');
    assert.deepEqual(Object.keys(bare), ['errno', 'code', 'syscall']);
    assert.doesNotMatch(inspect(bare), /undefined/);
    let fsErr: any;
    try {
      uv.fs.open(undefined, '/nonexistent/uvkit');
    } catch (err) {
      fsErr = err;
    }
    assert.deepEqual(Object.keys(fsErr), ['errno', 'code', 'syscall', 'path']);
    assert.doesNotMatch(inspect(fsErr), /dest|undefined/);
  });

  it('stacks start at the caller, not inside uvkit (issue 11)', () => {
    const loop = new uv.Loop();
    const stackOf = (fn: () => void): string[] => {
      try {
        fn();
      } catch (err) {
        return (err as Error).stack!.split('\n');
      }
      throw new Error('no throw');
    };
    function callerOfBind() {
      new uv.TCP(loop).bind('127.0.0.1', -1);
    }
    function callerOfOpen() {
      uv.fs.open(loop, '/nonexistent/uvkit');
    }
    function callerOfStart() {
      const timer = new uv.Timer(loop);
      timer.close();
      timer.start(() => {}, 1);
    }
    function callerOfSpawn() {
      uv.Process.spawn(loop, { args: ['/nonexistent/uvkit'] });
    }
    const cases: [() => void, string, string][] = [
      [callerOfBind, 'callerOfBind', 'RangeError [ERR_SOCKET_BAD_PORT]: port should be >= 0 and < 65536. Received type number (-1).'],
      [callerOfOpen, 'callerOfOpen', "FSError: ENOENT: no such file or directory, open '/nonexistent/uvkit'"],
      [callerOfStart, 'callerOfStart', 'HandleClosedError: Timer.start(): handle is closed'],
      [callerOfSpawn, 'callerOfSpawn', "ProcessError: ENOENT: no such file or directory, spawn '/nonexistent/uvkit'"],
    ];
    try {
      for (const [fn, name, header] of cases) {
        const lines = stackOf(fn);
        assert.equal(lines[0], header);
        assert.match(lines[1], new RegExp(`^    at ${name} \\(`), lines.join('\n'));
        assert.doesNotMatch(lines.join('\n'), /[/\\]lib[/\\]\w+\.ts:/);
      }
    } finally {
      for (const h of loop.handles) if (!h.closed) h.close();
      loop.run();
      loop.close();
    }
  });

  it('bad arguments throw with Node\'s codes and messages naming the argument and what it got (issue 11)', () => {
    const loop = new uv.Loop();
    const tcp = new uv.TCP(loop);
    const udp = new uv.UDP(loop);
    const timer = new uv.Timer(loop);
    const cases: [() => unknown, Function, string, string][] = [
      [() => timer.start(7 as any, 1), TypeError, 'ERR_INVALID_ARG_TYPE',
        'The "callback" argument must be of type function. Received type number (7)'],
      [() => timer.start(() => {}, '10' as any), TypeError, 'ERR_INVALID_ARG_TYPE',
        'The "timeout" argument must be of type number. Received type string (\'10\')'],
      [() => timer.start(() => {}, -0.5), RangeError, 'ERR_OUT_OF_RANGE',
        'The value of "timeout" is out of range. It must be >= 0 && <= 9007199254740991. Received -0.5'],
      [() => tcp.bind('127.0.0.1', 65536), RangeError, 'ERR_SOCKET_BAD_PORT',
        'port should be >= 0 and < 65536. Received type number (65536).'],
      [() => tcp.bind('127.0.0.1', NaN), RangeError, 'ERR_SOCKET_BAD_PORT',
        'port should be >= 0 and < 65536. Received type number (NaN).'],
      [() => tcp.connect('localhost', 80, () => {}), TypeError, 'ERR_INVALID_IP_ADDRESS', 'Invalid IP address: localhost'],
      [() => tcp.bind(null as any, 80), TypeError, 'ERR_INVALID_ARG_TYPE',
        'The "ip" argument must be of type string. Received null'],
      [() => tcp.open(NaN), RangeError, 'ERR_OUT_OF_RANGE',
        'The value of "fd" is out of range. It must be an integer. Received NaN'],
      [() => tcp.open(2 ** 53), RangeError, 'ERR_OUT_OF_RANGE',
        'The value of "fd" is out of range. It must be >= 0 && <= 2147483647. Received 9_007_199_254_740_992'],
      [() => tcp.write({} as any), TypeError, 'ERR_INVALID_ARG_TYPE',
        'The "data" argument must be of type string or an instance of Buffer or Uint8Array or an array of them. Received an instance of Object'],
      // eslint-disable-next-line no-sparse-arrays
      [() => tcp.write([Buffer.from('a'), , 'b'] as any), TypeError, 'ERR_INVALID_ARG_TYPE',
        'The "data[1]" property must be of type string or an instance of Buffer or Uint8Array. Received undefined'],
      [() => tcp.write([]), RangeError, 'ERR_OUT_OF_RANGE',
        'The value of "data.length" is out of range. It must be >= 1. Received 0'],
      [() => udp.setTTL(0), RangeError, 'ERR_OUT_OF_RANGE',
        'The value of "ttl" is out of range. It must be >= 1 && <= 255. Received 0'],
      [() => udp.bind('127.0.0.1', 0, 1 << 12), RangeError, 'ERR_INVALID_ARG_VALUE',
        "The argument 'flags' must be a combination of UV_UDP_IPV6ONLY, UV_UDP_REUSEADDR and UV_UDP_REUSEPORT. Received 4096"],
      [() => loop.run(7), RangeError, 'ERR_INVALID_ARG_VALUE',
        "The argument 'mode' must be UV_RUN_DEFAULT, UV_RUN_ONCE or UV_RUN_NOWAIT. Received 7"],
      [() => new uv.TCP(loop, 'IPv5' as any), TypeError, 'ERR_INVALID_ARG_VALUE',
        "The argument 'family' must be 'IPv4' or 'IPv6'. Received 'IPv5'"],
      [() => new uv.Timer({} as any), TypeError, 'ERR_INVALID_ARG_TYPE',
        'The "loop" argument must be an instance of Loop. Received an instance of Object'],
      [() => uv.dns.getaddrinfo(loop, null, null), TypeError, 'ERR_MISSING_ARGS',
        'The "host" or "port" arguments must be specified'],
      [() => uv.fs.open(loop, 'a\0b'), TypeError, 'ERR_INVALID_ARG_VALUE',
        "The argument 'path' must be a string without null bytes. Received 'a\\x00b'"],
      [() => uv.fs.utime(loop, '/x', 1e300, 0), RangeError, 'ERR_OUT_OF_RANGE',
        'The value of "atime" is out of range. It must be >= -8640000000000000 && <= 8640000000000000. Received 1e+300'],
      [() => new uv.Signal(loop).start(() => {}, 'SIGNOPE'), TypeError, 'ERR_UNKNOWN_SIGNAL', 'Unknown signal: SIGNOPE'],
      [() => new uv.FSPoll(loop).start('/x', 2 ** 32, () => {}), RangeError, 'ERR_OUT_OF_RANGE',
        'The value of "intervalMs" is out of range. It must be >= 0 && <= 4294967295. Received 4294967296'],
      [() => tcp.keepalive(true, 1e300), RangeError, 'ERR_OUT_OF_RANGE',
        'The value of "delayMs" is out of range. It must be >= 0 && <= 2147483647000. Received 1e+300'],
    ];
    try {
      for (const [fn, cls, code, message] of cases) throwsLike(fn, cls, { code, message });
      udp.bind('127.0.0.1', -0); // -0 is 0 wherever an integer is taken
      assert.equal(udp.getsockname().address, '127.0.0.1');
    } finally {
      for (const h of loop.handles) if (!h.closed) h.close();
      loop.run();
      loop.close();
    }
  });

  it('the class tree follows pyuv', () => {
    const tree: [Function, Function][] = [
      [uv.HandleError, uv.UVError], [uv.FSError, uv.UVError], [uv.UVError, Error],
      [uv.HandleClosedError, uv.HandleError], [uv.StreamError, uv.HandleError],
      [uv.TCPError, uv.StreamError], [uv.PipeError, uv.StreamError], [uv.TTYError, uv.StreamError],
    ];
    for (const name of ['AsyncError', 'TimerError', 'PrepareError', 'IdleError', 'CheckError',
      'SignalError', 'UDPError', 'PollError', 'FSEventError', 'FSPollError', 'ProcessError']) {
      tree.push([(uv as any)[name], uv.HandleError]);
    }
    for (const [sub, base] of tree) {
      assert.equal(typeof sub, 'function');
      assert.ok(sub.prototype instanceof base, `${sub.name} extends ${base.name}`);
    }
  });

  it('errno has every libuv code, errorcode maps back, strerror explains', () => {
    assert.equal(uv.errno.UV_ENOENT, -2);
    assert.equal(uv.errno.UV_EOF, -4095);
    assert.equal(uv.errno.UV_ECANCELED, -125);
    assert.ok(Object.keys(uv.errno).length >= 80);
    for (const [name, code] of Object.entries(uv.errno as unknown as Record<string, number>)) {
      assert.ok(code < 0, name);
      assert.equal(uv.errorcode[code], name);
    }
    assert.equal(uv.errorcode[-2], 'UV_ENOENT');
    assert.equal(uv.strerror(uv.errno.UV_ENOENT), 'no such file or directory');
    assert.throws(() => uv.strerror('x' as any), TypeError);
    // pyuv keeps these two inside errno as well.
    assert.equal(uv.errno.errorcode, uv.errorcode);
    assert.equal(uv.errno.strerror(-2), 'no such file or directory');
    // The codes are the running libuv's, not a list fixed at build time:
    // libuv 1.51 added ENOEXEC.
    const errnoCodes = uv.errno as unknown as Record<string, number>;
    assert.equal(errnoCodes.UV_ENOEXEC, libuvAtLeast(51) ? -8 : undefined);
    assert.equal(uv.strerror(-9999), 'Unknown system error -9999');
  });

  it('constants have libuv values, top level and in constants', () => {
    const expected: Record<string, number> = {
      UV_RUN_DEFAULT: 0, UV_RUN_ONCE: 1, UV_RUN_NOWAIT: 2, UV_READABLE: 1, UV_WRITABLE: 2,
      UV_DISCONNECT: 4, UV_PRIORITIZED: 8, UV_RENAME: 1, UV_CHANGE: 2, UV_IGNORE: 0,
      UV_CREATE_PIPE: 1, UV_INHERIT_FD: 2, UV_INHERIT_STREAM: 4, UV_READABLE_PIPE: 16,
      UV_WRITABLE_PIPE: 32, UV_TTY_MODE_NORMAL: 0, UV_TTY_MODE_RAW: 1, UV_TTY_MODE_IO: 2,
      UV_UNKNOWN_HANDLE: 0, UV_ASYNC: 1, UV_TCP: 12, UV_TIMER: 13, UV_UDP: 15, UV_SIGNAL: 16,
      UV_FILE: 17, UV_NAMED_PIPE: 7, UV_DIRENT_FILE: 1, UV_DIRENT_DIR: 2, UV_FS_COPYFILE_EXCL: 1,
      UV_UDP_REUSEADDR: 4, UV_JOIN_GROUP: 1, UV_LEAVE_GROUP: 0, UV_PROCESS_DETACHED: 8,
    };
    for (const [name, value] of Object.entries(expected)) {
      assert.equal((uv as any)[name], value, name);
      assert.equal((uv.constants as any)[name], value, `constants.${name}`);
    }
    assert.deepEqual(Object.keys(uv.constants).filter((k) => (uv as any)[k] === undefined), []);
  });

  it('version and libuvVersion', () => {
    assert.equal(uv.version, require('../package.json').version);
    assert.equal(uv.libuvVersion, process.versions.uv);
    assert.match(uv.libuvVersion, /^1\.\d+\.\d+$/);
  });

  it('loads as CommonJS and as an ES module with named exports', () => {
    const res = runNode(
      `import('./dist/index.mjs').then((m) => {
         const cjs = require('./');
         const l = new m.Loop();
         new m.Timer(l).start(() => console.log('esm timer'), 1);
         l.run();
         console.log(m.Loop === cjs.Loop, m.default === cjs, typeof m.UVError, m.UV_RUN_ONCE);
       });`,
    );
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout, 'esm timer\ntrue true function 1\n');
  });
});
