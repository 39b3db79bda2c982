import { strict as assert } from 'assert';
import * as uv from '../lib/index';
import { libuvAtLeast, runNode } from './helpers';

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
