import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as nfs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { once } from 'events';
import { Worker } from 'worker_threads';
import {
  FSError,
  FSRequest,
  Loop,
  UVError,
  UV_DIRENT_DIR,
  UV_DIRENT_FIFO,
  UV_DIRENT_FILE,
  UV_DIRENT_LINK,
  UV_FS_COPYFILE_EXCL,
  UV_FS_COPYFILE_FICLONE,
  errno,
  features,
  fs,
  strerror,
} from '../lib/index';
import { openFds, root, runNode, throwsLike, useLoop } from './helpers';

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NONBLOCK } = nfs.constants;
const BIG = 2 ** 32 + 5; // an offset past 2^31 and 2^32

type Mode = 'sync' | 'async';

describe('fs', () => {
  const t = useLoop();
  let dir: string;
  let file: string; // 'hello world', 11 bytes

  beforeEach(() => {
    dir = nfs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-fs-'));
    file = path.join(dir, 'file.txt');
    nfs.writeFileSync(file, 'hello world');
  });
  afterEach(() => {
    nfs.rmSync(dir, { recursive: true, force: true });
  });

  const p = (name: string) => path.join(dir, name);

  /**
   * Calls `fn(loop, ...args)` synchronously, or with a callback: then checks
   * it returned an FSRequest, did not call back before the loop ran, kept
   * the loop alive, and called back exactly once with itself last. Returns
   * the result or throws the error, so each test runs in both forms.
   */
  function invoke(mode: Mode, fn: Function, ...args: unknown[]): any {
    if (mode === 'sync') return fn(t.loop, ...args);
    let calls = 0;
    let out: { err: FSError | null; result: unknown; req: unknown } | undefined;
    const req = fn(t.loop, ...args, (err: FSError | null, result: unknown, r: unknown) => {
      calls++;
      out = { err, result, req: r };
    });
    assert.ok(req instanceof fs.FSRequest, 'returns an FSRequest');
    assert.equal(calls, 0, 'called back before the loop ran');
    assert.equal(t.loop.alive, true, 'the request keeps the loop alive');
    t.loop.run();
    assert.equal(calls, 1, 'callback count');
    assert.equal(out!.req, req);
    if (out!.err !== null) {
      assert.equal(out!.result, undefined);
      throw out!.err;
    }
    return out!.result;
  }

  function fails(fn: () => unknown, code: string, syscall: string, filePath?: string, dest?: string) {
    const num = (errno as unknown as Record<string, number>)[`UV_${code}`];
    let msg = `${code}: ${strerror(num)}, ${syscall}`;
    if (filePath !== undefined) msg += ` '${filePath}'`;
    if (dest !== undefined) msg += ` -> '${dest}'`;
    throwsLike(fn, FSError, {
      code,
      errno: num,
      syscall,
      path: filePath,
      dest,
      message: msg,
    });
  }

  function nodeStatFields(s: nfs.Stats) {
    return {
      dev: s.dev, mode: s.mode, nlink: s.nlink, uid: s.uid, gid: s.gid, rdev: s.rdev, ino: s.ino,
      size: s.size, blksize: s.blksize, blocks: s.blocks, atimeMs: s.atimeMs, mtimeMs: s.mtimeMs,
      ctimeMs: s.ctimeMs, birthtimeMs: s.birthtimeMs,
    };
  }

  function ourStatFields(s: fs.Stat) {
    const { flags, gen, ...rest } = s;
    assert.equal(flags, 0);
    assert.equal(gen, 0);
    return rest;
  }

  function withFd<R>(flags: number, fn: (fd: number) => R, f = file): R {
    const fd = nfs.openSync(f, flags);
    try {
      return fn(fd);
    } finally {
      nfs.closeSync(fd);
    }
  }

  for (const m of ['sync', 'async'] as const) {
    describe(m, () => {
      it('stat, lstat, fstat match Node’s fs', () => {
        nfs.symlinkSync(file, p('link'));
        assert.deepEqual(ourStatFields(invoke(m, fs.stat, file)), nodeStatFields(nfs.statSync(file)));
        assert.deepEqual(ourStatFields(invoke(m, fs.stat, p('link'))), nodeStatFields(nfs.statSync(file)));
        assert.deepEqual(ourStatFields(invoke(m, fs.lstat, p('link'))), nodeStatFields(nfs.lstatSync(p('link'))));
        assert.deepEqual(ourStatFields(invoke(m, fs.stat, dir)), nodeStatFields(nfs.statSync(dir)));
        withFd(O_RDONLY, (fd) => {
          assert.deepEqual(ourStatFields(invoke(m, fs.fstat, fd)), nodeStatFields(nfs.fstatSync(fd)));
        });
      });

      it('stat, lstat, fstat errors', () => {
        fails(() => invoke(m, fs.stat, p('nope')), 'ENOENT', 'stat', p('nope'));
        fails(() => invoke(m, fs.stat, path.join(file, 'x')), 'ENOTDIR', 'stat', path.join(file, 'x'));
        fails(() => invoke(m, fs.lstat, p('nope')), 'ENOENT', 'lstat', p('nope'));
        fails(() => invoke(m, fs.fstat, 1_000_000), 'EBADF', 'fstat');
      });

      it('statfs matches Node’s fs.statfs', () => {
        const ours: fs.StatFs = invoke(m, fs.statfs, dir);
        const node = nfs.statfsSync(dir);
        const keys = ['type', 'bsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree'];
        assert.deepEqual(Object.keys(ours), features.statfsFrsize ? [...keys, 'frsize'] : keys);
        assert.equal(ours.type, node.type);
        assert.equal(ours.bsize, node.bsize);
        assert.equal(ours.blocks, node.blocks);
        assert.equal(ours.files, node.files);
        // Free counts move with other writers to the disk: within 1% of the totals.
        for (const [k, total] of [['bfree', node.blocks], ['bavail', node.blocks], ['ffree', node.files]] as const) {
          assert.ok(Math.abs(ours[k] - node[k]) <= total / 100, `${k}: ${ours[k]} vs ${node[k]}`);
        }
        assert.ok(ours.bfree >= ours.bavail);
        fails(() => invoke(m, fs.statfs, p('nope')), 'ENOENT', 'statfs', p('nope'));
      });

      it('open and close', () => {
        const fd = invoke(m, fs.open, file, O_RDONLY, 0);
        assert.ok(Number.isInteger(fd) && fd > 2);
        assert.equal(nfs.fstatSync(fd).ino, nfs.statSync(file).ino);
        assert.equal(invoke(m, fs.close, fd), undefined);
        assert.throws(() => nfs.fstatSync(fd), { code: 'EBADF' });

        const fd2 = invoke(m, fs.open, p('new'), O_CREAT | O_EXCL | O_WRONLY, 0o640);
        invoke(m, fs.close, fd2);
        assert.equal(nfs.statSync(p('new')).mode & 0o777, 0o640);
      });

      it('open and close errors', () => {
        fails(() => invoke(m, fs.open, p('nope'), O_RDONLY, 0), 'ENOENT', 'open', p('nope'));
        fails(() => invoke(m, fs.open, file, O_CREAT | O_EXCL | O_WRONLY, 0o644), 'EEXIST', 'open', file);
        fails(() => invoke(m, fs.open, dir, O_WRONLY, 0), 'EISDIR', 'open', dir);
        fails(() => invoke(m, fs.open, path.join(file, 'x'), O_RDONLY, 0), 'ENOTDIR', 'open', path.join(file, 'x'));
        fails(() => invoke(m, fs.close, 1_000_000), 'EBADF', 'close');
      });

      it('read: at offsets, at the current position, to end of file', () => {
        withFd(O_RDONLY, (fd) => {
          assert.equal(invoke(m, fs.read, fd, 5, 6).toString(), 'world');
          assert.equal(invoke(m, fs.read, fd, 100, 0).toString(), 'hello world');
          // -1: the current position, which advances
          assert.equal(invoke(m, fs.read, fd, 6, -1).toString(), 'hello ');
          assert.equal(invoke(m, fs.read, fd, 6, -1).toString(), 'world');
          const eof: Buffer = invoke(m, fs.read, fd, 6, -1);
          assert.ok(Buffer.isBuffer(eof));
          assert.equal(eof.length, 0);
          assert.equal(invoke(m, fs.read, fd, 0, 0).length, 0);
          assert.equal(invoke(m, fs.read, fd, 4, 100).length, 0);
        });
      });

      it('read and write at offsets past 2^32 (sparse file)', () => {
        const big = p('sparse');
        withFd(O_RDWR | O_CREAT, (fd) => {
          nfs.ftruncateSync(fd, BIG + 100);
          assert.equal(invoke(m, fs.write, fd, 'far away', BIG), 8);
          const back = Buffer.alloc(8);
          nfs.readSync(fd, back, 0, 8, BIG);
          assert.equal(back.toString(), 'far away');
          assert.equal(invoke(m, fs.read, fd, 8, BIG).toString(), 'far away');
          assert.equal(invoke(m, fs.read, fd, 4, 2 ** 31 + 1).toString('hex'), '00000000');
        }, big);
        assert.equal(nfs.statSync(big).size, BIG + 100);
      });

      it('read errors', () => {
        fails(() => invoke(m, fs.read, 1_000_000, 4, 0), 'EBADF', 'read');
        withFd(O_RDONLY, (fd) => fails(() => invoke(m, fs.read, fd, 4, 0), 'EISDIR', 'read'), dir);
        withFd(O_WRONLY, (fd) => fails(() => invoke(m, fs.read, fd, 4, 0), 'EBADF', 'read'));
      });

      it('write: Buffer, Uint8Array, string, vectored array, at offsets and the current position', () => {
        withFd(O_RDWR | O_CREAT, (fd) => {
          assert.equal(invoke(m, fs.write, fd, Buffer.from('abc'), 0), 3);
          assert.equal(invoke(m, fs.write, fd, new Uint8Array([0x64, 0x65]), 3), 2);
          assert.equal(invoke(m, fs.write, fd, 'ñé', 5), 4); // UTF-8
          assert.equal(invoke(m, fs.write, fd, ['1', Buffer.from('23'), new Uint8Array([0x34])], 9), 4);
          assert.equal(nfs.readFileSync(p('w'), 'utf8'), 'abcdeñé1234');
          // -1: at the current position (still 0: positional writes leave it)
          assert.equal(invoke(m, fs.write, fd, 'XY', -1), 2);
          assert.equal(invoke(m, fs.write, fd, 'Z', -1), 1);
          assert.equal(nfs.readFileSync(p('w'), 'utf8'), 'XYZdeñé1234');
          assert.equal(invoke(m, fs.write, fd, Buffer.alloc(0), 0), 0);
        }, p('w'));
      });

      it('write errors', () => {
        fails(() => invoke(m, fs.write, 1_000_000, 'x', 0), 'EBADF', 'write');
        withFd(O_RDONLY, (fd) => fails(() => invoke(m, fs.write, fd, 'x', 0), 'EBADF', 'write'));
      });

      it('unlink', () => {
        assert.equal(invoke(m, fs.unlink, file), undefined);
        assert.equal(nfs.existsSync(file), false);
        fails(() => invoke(m, fs.unlink, file), 'ENOENT', 'unlink', file);
        fails(() => invoke(m, fs.unlink, dir), 'EISDIR', 'unlink', dir);
      });

      it('mkdir', () => {
        assert.equal(invoke(m, fs.mkdir, p('d'), 0o750), undefined);
        const st = nfs.statSync(p('d'));
        assert.ok(st.isDirectory());
        assert.equal(st.mode & 0o777, 0o750 & ~process.umask());
        fails(() => invoke(m, fs.mkdir, p('d'), 0o755), 'EEXIST', 'mkdir', p('d'));
        fails(() => invoke(m, fs.mkdir, p('x/y'), 0o755), 'ENOENT', 'mkdir', p('x/y'));
        fails(() => invoke(m, fs.mkdir, path.join(file, 'y'), 0o755), 'ENOTDIR', 'mkdir', path.join(file, 'y'));
      });

      it('mkdtemp', () => {
        const made: string = invoke(m, fs.mkdtemp, p('tmp-XXXXXX'));
        assert.match(made, new RegExp(`^${p('tmp-')}[A-Za-z0-9]{6}$`));
        assert.ok(nfs.statSync(made).isDirectory());
        fails(() => invoke(m, fs.mkdtemp, p('no-template')), 'EINVAL', 'mkdtemp', p('no-template'));
        fails(() => invoke(m, fs.mkdtemp, p('nope/XXXXXX')), 'ENOENT', 'mkdtemp', p('nope/XXXXXX'));
      });

      it('mkstemp', () => {
        const made: { path: string; fd: number } = invoke(m, fs.mkstemp, p('f-XXXXXX'));
        assert.deepEqual(Object.keys(made), ['path', 'fd']);
        assert.match(made.path, new RegExp(`^${p('f-')}[A-Za-z0-9]{6}$`));
        try {
          nfs.writeSync(made.fd, 'data');
          assert.equal(nfs.readFileSync(made.path, 'utf8'), 'data');
          assert.equal(nfs.fstatSync(made.fd).ino, nfs.statSync(made.path).ino);
        } finally {
          nfs.closeSync(made.fd);
        }
        fails(() => invoke(m, fs.mkstemp, p('bad')), 'EINVAL', 'mkstemp', p('bad'));
        fails(() => invoke(m, fs.mkstemp, p('nope/XXXXXX')), 'ENOENT', 'mkstemp', p('nope/XXXXXX'));
      });

      it('rmdir', () => {
        nfs.mkdirSync(p('d'));
        assert.equal(invoke(m, fs.rmdir, p('d')), undefined);
        assert.equal(nfs.existsSync(p('d')), false);
        fails(() => invoke(m, fs.rmdir, p('d')), 'ENOENT', 'rmdir', p('d'));
        fails(() => invoke(m, fs.rmdir, dir), 'ENOTEMPTY', 'rmdir', dir);
        fails(() => invoke(m, fs.rmdir, file), 'ENOTDIR', 'rmdir', file);
      });

      it('rename', () => {
        assert.equal(invoke(m, fs.rename, file, p('moved')), undefined);
        assert.equal(nfs.readFileSync(p('moved'), 'utf8'), 'hello world');
        assert.equal(nfs.existsSync(file), false);
        fails(() => invoke(m, fs.rename, file, p('other')), 'ENOENT', 'rename', file, p('other'));
        nfs.mkdirSync(p('emptydir'));
        fails(() => invoke(m, fs.rename, p('moved'), p('emptydir')), 'EISDIR', 'rename', p('moved'), p('emptydir'));
        fails(() => invoke(m, fs.rename, p('emptydir'), p('moved')), 'ENOTDIR', 'rename', p('emptydir'), p('moved'));
      });

      it('chmod and fchmod', () => {
        assert.equal(invoke(m, fs.chmod, file, 0o604), undefined);
        assert.equal(nfs.statSync(file).mode & 0o7777, 0o604);
        withFd(O_RDONLY, (fd) => assert.equal(invoke(m, fs.fchmod, fd, 0o4711), undefined));
        assert.equal(nfs.statSync(file).mode & 0o7777, 0o4711);
        fails(() => invoke(m, fs.chmod, p('nope'), 0o644), 'ENOENT', 'chmod', p('nope'));
        fails(() => invoke(m, fs.fchmod, 1_000_000, 0o644), 'EBADF', 'fchmod');
      });

      it('link', () => {
        assert.equal(invoke(m, fs.link, file, p('hard')), undefined);
        assert.equal(nfs.statSync(p('hard')).ino, nfs.statSync(file).ino);
        assert.equal(nfs.statSync(file).nlink, 2);
        fails(() => invoke(m, fs.link, file, p('hard')), 'EEXIST', 'link', file, p('hard'));
        fails(() => invoke(m, fs.link, p('nope'), p('h2')), 'ENOENT', 'link', p('nope'), p('h2'));
      });

      it('symlink and readlink', () => {
        assert.equal(invoke(m, fs.symlink, file, p('sym'), 0), undefined);
        assert.ok(nfs.lstatSync(p('sym')).isSymbolicLink());
        assert.equal(invoke(m, fs.readlink, p('sym')), file);
        assert.equal(invoke(m, fs.symlink, 'relative/target', p('rel'), 0), undefined);
        assert.equal(invoke(m, fs.readlink, p('rel')), nfs.readlinkSync(p('rel')));
        fails(() => invoke(m, fs.symlink, file, p('sym'), 0), 'EEXIST', 'symlink', file, p('sym'));
        fails(() => invoke(m, fs.readlink, file), 'EINVAL', 'readlink', file);
        fails(() => invoke(m, fs.readlink, p('nope')), 'ENOENT', 'readlink', p('nope'));
      });

      it('realpath', () => {
        nfs.mkdirSync(p('d'));
        nfs.symlinkSync(p('d'), p('dl'));
        const twisted = path.join(dir, 'dl', '..', 'dl', '.');
        assert.equal(invoke(m, fs.realpath, twisted), nfs.realpathSync(twisted));
        assert.equal(invoke(m, fs.realpath, twisted), nfs.realpathSync(p('d')));
        fails(() => invoke(m, fs.realpath, p('nope')), 'ENOENT', 'realpath', p('nope'));
      });

      it('chown, fchown, lchown', () => {
        const uid = process.getuid!();
        const gid = process.getgid!();
        assert.equal(invoke(m, fs.chown, file, uid, gid), undefined);
        assert.equal(invoke(m, fs.chown, file, -1, -1), undefined);
        withFd(O_RDONLY, (fd) => assert.equal(invoke(m, fs.fchown, fd, uid, -1), undefined));
        nfs.symlinkSync(file, p('sym'));
        if (uid === 0) {
          // root: really change owners; lchown changes the link, not its target
          invoke(m, fs.chown, file, 1234, 5678);
          assert.deepEqual([nfs.statSync(file).uid, nfs.statSync(file).gid], [1234, 5678]);
          invoke(m, fs.chown, file, -1, 42);
          assert.deepEqual([nfs.statSync(file).uid, nfs.statSync(file).gid], [1234, 42]);
          withFd(O_RDONLY, (fd) => invoke(m, fs.fchown, fd, 4321, -1));
          assert.equal(nfs.statSync(file).uid, 4321);
          invoke(m, fs.lchown, p('sym'), 777, 888);
          assert.deepEqual([nfs.lstatSync(p('sym')).uid, nfs.lstatSync(p('sym')).gid], [777, 888]);
          assert.equal(nfs.statSync(file).uid, 4321);
        } else {
          fails(() => invoke(m, fs.chown, file, 0, 0), 'EPERM', 'chown', file);
          assert.equal(invoke(m, fs.lchown, p('sym'), uid, gid), undefined);
        }
        fails(() => invoke(m, fs.chown, p('nope'), uid, gid), 'ENOENT', 'chown', p('nope'));
        fails(() => invoke(m, fs.lchown, p('nope'), uid, gid), 'ENOENT', 'lchown', p('nope'));
        fails(() => invoke(m, fs.fchown, 1_000_000, uid, gid), 'EBADF', 'fchown');
      });

      it('fsync and fdatasync', () => {
        withFd(O_RDWR, (fd) => {
          nfs.writeSync(fd, 'synced');
          assert.equal(invoke(m, fs.fsync, fd), undefined);
          assert.equal(invoke(m, fs.fdatasync, fd), undefined);
        });
        fails(() => invoke(m, fs.fsync, 1_000_000), 'EBADF', 'fsync');
        fails(() => invoke(m, fs.fdatasync, 1_000_000), 'EBADF', 'fdatasync');
      });

      it('ftruncate', () => {
        withFd(O_RDWR, (fd) => {
          assert.equal(invoke(m, fs.ftruncate, fd, 5), undefined);
          assert.equal(nfs.readFileSync(file, 'utf8'), 'hello');
          invoke(m, fs.ftruncate, fd, BIG);
          assert.equal(nfs.fstatSync(fd).size, BIG);
          invoke(m, fs.ftruncate, fd, 0);
          assert.equal(nfs.fstatSync(fd).size, 0);
        });
        withFd(O_RDONLY, (fd) => fails(() => invoke(m, fs.ftruncate, fd, 0), 'EINVAL', 'ftruncate'));
        fails(() => invoke(m, fs.ftruncate, 1_000_000, 0), 'EBADF', 'ftruncate');
      });

      it('scandir lists names and types, sorted', () => {
        nfs.mkdirSync(p('sub'));
        nfs.symlinkSync(file, p('link'));
        assert.equal(spawnSync('mkfifo', [p('fifo')]).status, 0);
        nfs.writeFileSync(p('a'), '');
        const list: fs.DirEntry[] = invoke(m, fs.scandir, dir);
        assert.deepEqual(list, [
          { name: 'a', type: UV_DIRENT_FILE },
          { name: 'fifo', type: UV_DIRENT_FIFO },
          { name: 'file.txt', type: UV_DIRENT_FILE },
          { name: 'link', type: UV_DIRENT_LINK },
          { name: 'sub', type: UV_DIRENT_DIR },
        ]);
        assert.deepEqual(list.map((e) => e.name), nfs.readdirSync(dir).sort());
        assert.deepEqual(invoke(m, fs.scandir, p('sub')), []);
        fails(() => invoke(m, fs.scandir, p('nope')), 'ENOENT', 'scandir', p('nope'));
        fails(() => invoke(m, fs.scandir, file), 'ENOTDIR', 'scandir', file);
      });

      it('opendir, readdir in batches of DIR_ENTRIES, closedir', () => {
        const names = new Set<string>(['file.txt']);
        for (let i = 0; i < 70; i++) {
          nfs.writeFileSync(p(`f${i}`), '');
          names.add(`f${i}`);
        }
        nfs.mkdirSync(p('sub'));
        const d: fs.Dir = invoke(m, fs.opendir, dir);
        assert.ok(d instanceof fs.Dir);
        assert.equal(d.path, dir);
        assert.equal(d.closed, false);
        const seen = new Map<string, number>();
        let batches = 0;
        for (;;) {
          const batch: fs.DirEntry[] = invoke(m, fs.readdir, d);
          assert.ok(batch.length <= fs.DIR_ENTRIES);
          if (batch.length === 0) break;
          batches++;
          for (const e of batch) seen.set(e.name, e.type);
        }
        assert.equal(fs.DIR_ENTRIES, 32);
        assert.equal(batches, 3); // 72 entries
        assert.deepEqual([...seen.keys()].sort(), [...names, 'sub'].sort());
        assert.equal(seen.get('sub'), UV_DIRENT_DIR);
        assert.equal(seen.get('f0'), UV_DIRENT_FILE);
        assert.deepEqual(invoke(m, fs.readdir, d), []); // stays at the end
        assert.equal(invoke(m, fs.closedir, d), undefined);
        assert.equal(d.closed, true);
        throwsLike(() => fs.readdir(t.loop, d), Error, { code: 'ERR_DIR_CLOSED' });
        throwsLike(() => fs.closedir(t.loop, d), Error, { code: 'ERR_DIR_CLOSED' });
        fails(() => invoke(m, fs.opendir, p('nope')), 'ENOENT', 'opendir', p('nope'));
        fails(() => invoke(m, fs.opendir, file), 'ENOTDIR', 'opendir', file);
      });

      it('sendfile', () => {
        nfs.writeFileSync(file, '0123456789abcdef');
        withFd(O_RDONLY, (inFd) => {
          withFd(O_WRONLY | O_CREAT, (outFd) => {
            assert.equal(invoke(m, fs.sendfile, outFd, inFd, 4, 6), 6);
            assert.equal(invoke(m, fs.sendfile, outFd, inFd, 14, 100), 2);
            assert.equal(invoke(m, fs.sendfile, outFd, inFd, 100, 5), 0);
          }, p('out'));
        });
        assert.equal(nfs.readFileSync(p('out'), 'utf8'), '456789ef');
        withFd(O_RDONLY, (inFd) => fails(() => invoke(m, fs.sendfile, 1_000_000, inFd, 0, 1), 'EBADF', 'sendfile'));
      });

      it('copyfile', () => {
        assert.equal(invoke(m, fs.copyfile, file, p('copy'), 0), undefined);
        assert.equal(nfs.readFileSync(p('copy'), 'utf8'), 'hello world');
        nfs.writeFileSync(file, 'changed');
        invoke(m, fs.copyfile, file, p('copy'), 0); // overwrites
        assert.equal(nfs.readFileSync(p('copy'), 'utf8'), 'changed');
        invoke(m, fs.copyfile, file, p('clone'), UV_FS_COPYFILE_FICLONE); // falls back to a copy
        assert.equal(nfs.readFileSync(p('clone'), 'utf8'), 'changed');
        fails(() => invoke(m, fs.copyfile, file, p('copy'), UV_FS_COPYFILE_EXCL), 'EEXIST', 'copyfile', file, p('copy'));
        fails(() => invoke(m, fs.copyfile, p('nope'), p('c2'), 0), 'ENOENT', 'copyfile', p('nope'), p('c2'));
      });

      it('utime, futime, lutime take ms (and Dates)', () => {
        const at = 1_500_000_000_123.456; // libuv keeps microseconds
        const mt = 1_400_000_000_987.654;
        assert.equal(invoke(m, fs.utime, file, at, mt), undefined);
        let st = nfs.statSync(file);
        assert.ok(Math.abs(st.atimeMs - at) < 0.001, `atime ${st.atimeMs}`);
        assert.ok(Math.abs(st.mtimeMs - mt) < 0.001, `mtime ${st.mtimeMs}`);
        withFd(O_RDONLY, (fd) => invoke(m, fs.futime, fd, new Date(1_000_000_000_000), 2_000_000_000_000));
        st = nfs.statSync(file);
        assert.deepEqual([st.atimeMs, st.mtimeMs], [1_000_000_000_000, 2_000_000_000_000]);
        nfs.symlinkSync(file, p('sym'));
        invoke(m, fs.lutime, p('sym'), 3_000_000, 4_000_000);
        assert.deepEqual([nfs.lstatSync(p('sym')).atimeMs, nfs.lstatSync(p('sym')).mtimeMs], [3_000_000, 4_000_000]);
        assert.equal(nfs.statSync(file).mtimeMs, 2_000_000_000_000); // the target is untouched
        invoke(m, fs.utime, file, -1500, 0); // before the epoch
        assert.equal(nfs.statSync(file).atimeMs, -1500);
        fails(() => invoke(m, fs.utime, p('nope'), 0, 0), 'ENOENT', 'utime', p('nope'));
        fails(() => invoke(m, fs.lutime, p('nope'), 0, 0), 'ENOENT', 'lutime', p('nope'));
        fails(() => invoke(m, fs.futime, 1_000_000, 0, 0), 'EBADF', 'futime');
      });

      it('access', () => {
        const { F_OK, R_OK, W_OK, X_OK } = nfs.constants;
        assert.equal(invoke(m, fs.access, file, F_OK), undefined);
        assert.equal(invoke(m, fs.access, file, R_OK | W_OK), undefined);
        nfs.chmodSync(file, 0o644);
        fails(() => invoke(m, fs.access, file, X_OK), 'EACCES', 'access', file); // even for root
        fails(() => invoke(m, fs.access, p('nope'), F_OK), 'ENOENT', 'access', p('nope'));
      });

      it('long and non-ASCII paths, also where a multi-byte character straddles 1 KiB', () => {
        // Paths of 1021..1026 UTF-8 bytes ending in a 3-byte character: some
        // end exactly where the native 1 KiB stack buffer does, some across it.
        const base = path.join(dir, 'x'.repeat(200), 'x'.repeat(200), 'x'.repeat(200), 'x'.repeat(200));
        nfs.mkdirSync(base, { recursive: true });
        for (let total = 1021; total <= 1026; total++) {
          const name = 'y'.repeat(total - Buffer.byteLength(base) - 1 - 3) + '日';
          const long = path.join(base, name);
          assert.equal(Buffer.byteLength(long), total);
          nfs.writeFileSync(long, String(total));
          assert.equal(invoke(m, fs.stat, long).size, 4);
          invoke(m, fs.rename, long, long + '2');
          assert.equal(nfs.readFileSync(long + '2', 'utf8'), String(total));
        }
        // over 1 KiB, and over PATH_MAX (the error names the whole path)
        let deep = dir;
        while (Buffer.byteLength(deep) < 2000) {
          deep = path.join(deep, 'ñ'.repeat(100));
          nfs.mkdirSync(deep);
        }
        nfs.writeFileSync(path.join(deep, 'f'), 'deep');
        assert.equal(invoke(m, fs.stat, path.join(deep, 'f')).size, 4);
        invoke(m, fs.copyfile, path.join(deep, 'f'), path.join(deep, '日本'), 0);
        assert.deepEqual(invoke(m, fs.scandir, deep).map((e: fs.DirEntry) => e.name), ['f', '日本']);
        const tooLong = path.join(dir, 'y'.repeat(5000));
        fails(() => invoke(m, fs.stat, tooLong), 'ENAMETOOLONG', 'stat', tooLong);
      });

      it('optional arguments take their defaults, also before a callback', () => {
        // open: flags O_RDONLY, mode 0o666; read/write: offset -1; mkdir: 0o777;
        // symlink/copyfile: flags 0; access: F_OK; ftruncate: length 0
        const fd = invoke(m, fs.open, file);
        assert.equal(invoke(m, fs.read, fd, 5).toString(), 'hello');
        assert.equal(invoke(m, fs.read, fd, 3, null).toString(), ' wo');
        assert.equal(invoke(m, fs.read, fd, 3, undefined).toString(), 'rld');
        assert.throws(() => nfs.writeSync(fd, 'x'), { code: 'EBADF' }); // read-only
        invoke(m, fs.close, fd);
        invoke(m, fs.mkdir, p('d'));
        assert.equal(nfs.statSync(p('d')).mode & 0o777, 0o777 & ~process.umask());
        invoke(m, fs.symlink, file, p('s'));
        invoke(m, fs.copyfile, file, p('c'));
        invoke(m, fs.access, p('c'));
        const wfd = nfs.openSync(p('c'), 'r+');
        try {
          assert.equal(invoke(m, fs.write, wfd, 'HE'), 2);
          invoke(m, fs.ftruncate, wfd);
        } finally {
          nfs.closeSync(wfd);
        }
        assert.equal(nfs.statSync(p('c')).size, 0);
      });
    });
  }

  describe('FSRequest', () => {
    it('has path, data and loop; null path for fd calls', () => {
      const req = fs.stat(t.loop, file, () => {});
      assert.equal(req.path, file);
      assert.equal(req.loop, t.loop);
      assert.equal(req.data, undefined);
      req.data = { mine: 1 };
      const req2 = fs.fstat(t.loop, 1_000_000, (err, st, r) => {
        assert.equal(r.path, null);
        assert.equal(err!.path, undefined);
      });
      assert.equal(req2.path, null);
      t.loop.run();
      assert.deepEqual(req.data, { mine: 1 });
    });

    it('cancel() is false once the request is done or running its callback', () => {
      let calls = 0;
      const req = fs.stat(t.loop, file, (err, st, r) => {
        calls++;
        assert.equal(err, null);
        assert.equal(r.cancel(), false);
      });
      t.loop.run();
      assert.equal(calls, 1);
      assert.equal(req.cancel(), false);
    });

    /**
     * Occupies every threadpool thread: copyfile from a FIFO blocks in
     * open() until a writer appears, so requests queued meanwhile wait.
     * (copyfile always runs on the threadpool, also when libuv uses
     * io_uring for other calls: UV_USE_IO_URING=1.) release() opens the
     * writer once the readers wait and returns its fd.
     */
    function blockThreadpool() {
      const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
      const fifo = p('fifo');
      assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
      const state = { threads, done: 0, release };
      for (let i = 0; i < threads; i++) {
        fs.copyfile(t.loop, fifo, p(`blocked${i}`), 0, (err) => {
          assert.equal(err, null);
          state.done++;
        });
      }
      function release(): number {
        const deadline = Date.now() + 5000;
        for (;;) {
          try {
            return nfs.openSync(fifo, O_WRONLY | O_NONBLOCK);
          } catch (e: any) {
            assert.equal(e.code, 'ENXIO'); // no reader waiting yet
            assert.ok(Date.now() < deadline, 'the threadpool never reached the FIFO');
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
          }
        }
      }
      return state;
    }

    it('cancels a queued request: its callback gets ECANCELED once', () => {
      const pool = blockThreadpool();
      const results: [FSError | null, unknown][] = [];
      // scandir, like copyfile, always goes through the threadpool
      const queued = fs.scandir(t.loop, dir, (err, list) => results.push([err, list]));
      assert.equal(queued.cancel(), true);
      assert.equal(queued.cancel(), false, 'a second cancel() is false');
      const writer = pool.release();
      try {
        t.loop.run();
      } finally {
        nfs.closeSync(writer);
      }
      assert.equal(pool.done, pool.threads);
      assert.equal(results.length, 1);
      const [err, list] = results[0];
      assert.ok(err instanceof FSError && err instanceof UVError);
      assert.equal(err.code, 'ECANCELED');
      assert.equal(err.errno, errno.UV_ECANCELED);
      assert.equal(err.syscall, 'scandir');
      assert.equal(err.path, dir);
      assert.equal(err.message, `ECANCELED: ${strerror(errno.UV_ECANCELED)}, scandir '${dir}'`);
      assert.equal(list, undefined);
    });

    it('a cancelled readdir or closedir leaves the directory open and usable', () => {
      const d = fs.opendir(t.loop, dir);
      const d2 = fs.opendir(t.loop, dir);
      const pool = blockThreadpool();
      let code = '';
      let code2 = '';
      const req = fs.closedir(t.loop, d, (err) => (code = err!.code));
      const req2 = fs.readdir(t.loop, d2, (err, list) => {
        code2 = err!.code;
        assert.equal(list, undefined);
      });
      throwsLike(() => fs.readdir(t.loop, d), Error, { code: 'ERR_DIR_CONCURRENT_OPERATION' });
      assert.equal(req.cancel(), true);
      assert.equal(req2.cancel(), true);
      const writer = pool.release();
      try {
        t.loop.run();
      } finally {
        nfs.closeSync(writer);
      }
      assert.equal(code, 'ECANCELED');
      assert.equal(code2, 'ECANCELED');
      assert.equal(d.closed, false);
      const names = fs.readdir(t.loop, d).map((e) => e.name);
      assert.ok(names.includes('file.txt') && names.includes('fifo'));
      assert.deepEqual(fs.readdir(t.loop, d2).map((e) => e.name).sort(), names.sort());
      fs.closedir(t.loop, d);
      fs.closedir(t.loop, d2);
      assert.equal(d.closed, true);
    });

    it('readdir and closedir refuse a second operation while one is queued', () => {
      const d = fs.opendir(t.loop, dir);
      let calls = 0;
      fs.readdir(t.loop, d, () => calls++);
      throwsLike(() => fs.readdir(t.loop, d), Error, { code: 'ERR_DIR_CONCURRENT_OPERATION' });
      throwsLike(() => fs.closedir(t.loop, d, () => {}), Error, { code: 'ERR_DIR_CONCURRENT_OPERATION' });
      t.loop.run();
      assert.equal(calls, 1);
      fs.closedir(t.loop, d, () => calls++);
      throwsLike(() => fs.readdir(t.loop, d), Error, { code: 'ERR_DIR_CONCURRENT_OPERATION' });
      t.loop.run();
      assert.equal(calls, 2);
      assert.equal(d.closed, true);
    });

    it('keeps its callback and buffers alive with no reference to them', () => {
      let got = '';
      (() => {
        const fd = nfs.openSync(p('gc'), 'w+');
        fs.write(t.loop, fd, [Buffer.from('kept '), 'alive'], 0, (err, n) => {
          assert.equal(n, 10);
          fs.read(t.loop, fd, 64, 0, (err2, buf) => {
            got = buf.toString();
            nfs.closeSync(fd);
          });
        });
      })();
      global.gc!();
      t.loop.run();
      assert.equal(got, 'kept alive');
    });

    it('many concurrent requests each call back once', () => {
      const n = 200;
      let calls = 0;
      const sizes = new Set<number>();
      for (let i = 0; i < n; i++) {
        fs.stat(t.loop, file, (err, st) => {
          assert.equal(err, null);
          sizes.add(st.size);
          calls++;
        });
      }
      t.loop.run();
      assert.equal(calls, n);
      assert.deepEqual([...sizes], [11]);
    });

    it('an exception in a callback stops run(), which rethrows it; others still complete', () => {
      let second = 0;
      fs.stat(t.loop, file, () => {
        throw new Error('boom');
      });
      assert.throws(() => t.loop.run(), /boom/);
      fs.stat(t.loop, file, () => second++);
      t.loop.run();
      assert.equal(second, 1);
    });

    it('excepthook receives a callback’s exception', () => {
      const seen: unknown[] = [];
      t.loop.excepthook = (err) => seen.push(err);
      fs.stat(t.loop, p('nope'), (err) => {
        throw err;
      });
      t.loop.run();
      assert.equal(seen.length, 1);
      assert.equal((seen[0] as FSError).code, 'ENOENT');
    });

    it('completes on an attached loop, which keeps Node alive meanwhile', () => {
      const res = runNode(`
        const { Loop, fs } = require('./');
        const loop = new Loop();
        loop.attach();
        fs.stat(loop, ${JSON.stringify(file)}, (err, st) => {
          process.stdout.write('size ' + st.size);
          loop.detach();
        });
      `);
      assert.equal(res.stderr, '');
      assert.equal(res.stdout, 'size 11');
      assert.equal(res.status, 0);
    });
  });

  describe('threads and teardown', () => {
    it('works in a worker_thread (its own callbacks and stat buffer)', async () => {
      const w = new Worker(`
        const { parentPort } = require('worker_threads');
        const { Loop, fs } = require(${JSON.stringify(root)});
        const loop = new Loop();
        const sync = fs.stat(loop, ${JSON.stringify(file)}).size;
        fs.stat(loop, ${JSON.stringify(file)}, (err, st) => parentPort.postMessage([sync, st.size]));
        loop.run();
        loop.close();
      `, { eval: true });
      const exited = once(w, 'exit'); // before awaiting the message: exit may follow in the same tick
      const [msg] = await once(w, 'message');
      assert.deepEqual(msg, [11, 11]);
      await exited;
    });

    it('requests queued when a worker ends complete without JavaScript and release fds and dirs', async () => {
      const before = openFds();
      const w = new Worker(`
        const { Loop, fs } = require(${JSON.stringify(root)});
        const loop = new Loop();
        const never = () => { throw new Error('called during teardown'); };
        for (let i = 0; i < 20; i++) fs.open(loop, ${JSON.stringify(file)}, 0, 0, never);
        for (let i = 0; i < 5; i++) fs.opendir(loop, ${JSON.stringify(dir)}, never);
        fs.mkstemp(loop, ${JSON.stringify(path.join(dir, 'w-XXXXXX'))}, never);
        fs.stat(loop, ${JSON.stringify(file)}, never);
      `, { eval: true });
      const errors: unknown[] = [];
      w.on('error', (e) => errors.push(e));
      const [code] = await once(w, 'exit');
      assert.equal(code, 0);
      assert.deepEqual(errors, []);
      assert.equal(openFds(), before);
    });

    it('a process exiting with requests queued exits cleanly', () => {
      const res = runNode(`
        const { Loop, fs } = require('./');
        const loop = new Loop();
        for (let i = 0; i < 50; i++) fs.stat(loop, ${JSON.stringify(file)}, () => { throw new Error('ran'); });
        fs.open(loop, ${JSON.stringify(file)}, 0, 0, () => {});
        process.stdout.write('bye');
      `);
      assert.equal(res.stderr, '');
      assert.equal(res.stdout, 'bye');
      assert.equal(res.status, 0);
    });
  });

  describe('Dir', () => {
    it('an unclosed Dir is closed when collected', async () => {
      const before = openFds();
      (() => {
        fs.opendir(t.loop, dir);
      })();
      assert.equal(openFds(), before + 1);
      for (let i = 0; i < 10 && openFds() !== before; i++) {
        global.gc!();
        await new Promise((r) => setImmediate(r));
      }
      assert.equal(openFds(), before);
    });
  });

  describe('argument checks', () => {
    before(() => Loop.default()); // its epoll fd and eventfd live on: open them before fds are counted
    const bad: [string, () => unknown, Function][] = [
      ['loop not a Loop', () => fs.stat({} as any, 'x'), TypeError],
      ['stat path', () => fs.stat(t.loop, 42 as any), TypeError],
      ['stat null byte', () => fs.stat(t.loop, 'a\0b'), TypeError],
      ['lstat path', () => fs.lstat(t.loop, null as any), TypeError],
      ['fstat fd type', () => fs.fstat(t.loop, '3' as any), TypeError],
      ['fstat fd negative', () => fs.fstat(t.loop, -1), RangeError],
      ['fstat fd fraction', () => fs.fstat(t.loop, 1.5), RangeError],
      ['statfs path', () => fs.statfs(t.loop, Buffer.from('x') as any), TypeError],
      ['open path', () => fs.open(t.loop, 1 as any, 0, 0), TypeError],
      ['open flags', () => fs.open(t.loop, 'x', 'r' as any, 0), TypeError],
      ['open flags negative', () => fs.open(t.loop, 'x', -1, 0), RangeError],
      ['open mode', () => fs.open(t.loop, 'x', 0, 0o10000), RangeError],
      ['close fd', () => fs.close(t.loop, undefined as any), TypeError],
      ['read fd', () => fs.read(t.loop, -2, 1, 0), RangeError],
      ['read length type', () => fs.read(t.loop, 0, '1' as any, 0), TypeError],
      ['read length', () => fs.read(t.loop, 0, -1, 0), RangeError],
      ['read length huge', () => fs.read(t.loop, 0, 2 ** 31, 0), RangeError],
      ['read offset', () => fs.read(t.loop, 0, 1, -2), RangeError],
      ['read offset unsafe', () => fs.read(t.loop, 0, 1, 2 ** 53), RangeError],
      ['write data', () => fs.write(t.loop, 0, 42 as any, 0), TypeError],
      ['write data item', () => fs.write(t.loop, 0, ['a', 42 as any], 0), TypeError],
      ['write empty array', () => fs.write(t.loop, 0, [], 0), RangeError],
      ['write offset', () => fs.write(t.loop, 0, 'x', 1.5), RangeError],
      ['unlink path', () => fs.unlink(t.loop, {} as any), TypeError],
      ['mkdir mode', () => fs.mkdir(t.loop, 'x', '755' as any), TypeError],
      ['mkdir mode range', () => fs.mkdir(t.loop, 'x', -1), RangeError],
      ['mkdtemp template', () => fs.mkdtemp(t.loop, 1 as any), TypeError],
      ['mkstemp template', () => fs.mkstemp(t.loop, 'a\0XXXXXX'), TypeError],
      ['rmdir path', () => fs.rmdir(t.loop, undefined as any), TypeError],
      ['rename newPath', () => fs.rename(t.loop, 'a', 1 as any), TypeError],
      ['chmod mode missing', () => (fs.chmod as any)(t.loop, 'a'), TypeError],
      ['chmod mode', () => fs.chmod(t.loop, 'a', 0o10000), RangeError],
      ['fchmod fd', () => fs.fchmod(t.loop, 'a' as any, 0o644), TypeError],
      ['link newPath', () => fs.link(t.loop, 'a', null as any), TypeError],
      ['symlink flags', () => fs.symlink(t.loop, 'a', 'b', 4), RangeError],
      ['readlink path', () => fs.readlink(t.loop, [] as any), TypeError],
      ['realpath path', () => fs.realpath(t.loop, 'x\0'), TypeError],
      ['chown uid', () => fs.chown(t.loop, 'a', 'root' as any, 0), TypeError],
      ['chown gid', () => fs.chown(t.loop, 'a', 0, -2), RangeError],
      ['fchown uid', () => fs.fchown(t.loop, 0, 2 ** 32, 0), RangeError],
      ['lchown path', () => fs.lchown(t.loop, 5 as any, 0, 0), TypeError],
      ['fsync fd', () => fs.fsync(t.loop, NaN), RangeError],
      ['fdatasync fd', () => fs.fdatasync(t.loop, null as any), TypeError],
      ['ftruncate length', () => fs.ftruncate(t.loop, 0, -1), RangeError],
      ['scandir path', () => fs.scandir(t.loop, 1 as any), TypeError],
      ['opendir path', () => fs.opendir(t.loop, 1 as any), TypeError],
      ['readdir dir', () => fs.readdir(t.loop, {} as any), TypeError],
      ['closedir dir', () => fs.closedir(t.loop, 'dir' as any), TypeError],
      ['sendfile outFd', () => fs.sendfile(t.loop, -1, 0, 0, 1), RangeError],
      ['sendfile inOffset', () => fs.sendfile(t.loop, 1, 0, -1, 1), RangeError],
      ['sendfile length', () => fs.sendfile(t.loop, 1, 0, 0, '1' as any), TypeError],
      ['copyfile flags', () => fs.copyfile(t.loop, 'a', 'b', 8), RangeError],
      ['copyfile newPath', () => fs.copyfile(t.loop, 'a', 2 as any), TypeError],
      ['utime atime', () => fs.utime(t.loop, 'a', 'now' as any, 0), TypeError],
      ['utime mtime', () => fs.utime(t.loop, 'a', 0, Infinity), RangeError],
      ['futime fd', () => fs.futime(t.loop, -1, 0, 0), RangeError],
      ['lutime time', () => fs.lutime(t.loop, 'a', 0, new Date(NaN)), RangeError],
      ['access mode', () => fs.access(t.loop, 'a', 8), RangeError],
    ];
    for (const [name, fn, cls] of bad) {
      it(`${name} throws ${cls.name}`, () => {
        assert.throws(fn, cls as any);
        assert.equal(t.loop.alive, false, 'nothing was queued');
      });
    }

    it('an undefined loop is the thread’s default loop', () => {
      assert.equal(fs.stat(undefined, file).size, 11);
      let size = 0;
      const req = fs.stat(undefined, file, (err, st) => (size = st.size));
      assert.equal(req.loop, Loop.default());
      Loop.default().run();
      assert.equal(size, 11);
    });

    it('FSRequest is also exported at the top level', () => {
      assert.equal(FSRequest, fs.FSRequest);
    });

    it('a closed loop throws ERR_LOOP_CLOSED', () => {
      const loop = new Loop();
      loop.close();
      throwsLike(() => fs.stat(loop, file), Error, { code: 'ERR_LOOP_CLOSED' });
    });

    it('a non-function callback throws TypeError and nothing runs, for every function', () => {
      const fd = nfs.openSync(file, 'r+');
      const d = fs.opendir(t.loop, dir);
      try {
        const calls: [string, unknown[]][] = [
          ['stat', [file]], ['lstat', [file]], ['fstat', [fd]], ['statfs', [dir]],
          ['open', [p('o'), O_CREAT | O_WRONLY, 0o644]], ['close', [fd]], ['read', [fd, 1, 0]],
          ['write', [fd, 'X', 0]], ['unlink', [file]], ['mkdir', [p('m'), 0o755]],
          ['mkdtemp', [p('t-XXXXXX')]], ['mkstemp', [p('s-XXXXXX')]], ['rmdir', [dir]],
          ['rename', [file, p('r')]], ['chmod', [file, 0o600]], ['fchmod', [fd, 0o600]],
          ['link', [file, p('l')]], ['symlink', [file, p('sl'), 0]], ['readlink', [file]],
          ['realpath', [file]], ['chown', [file, 1, 1]], ['fchown', [fd, 1, 1]], ['lchown', [file, 1, 1]],
          ['fsync', [fd]], ['fdatasync', [fd]], ['ftruncate', [fd, 0]], ['scandir', [dir]],
          ['opendir', [dir]], ['readdir', [d]], ['closedir', [d]], ['sendfile', [fd, fd, 0, 1]],
          ['copyfile', [file, p('c'), 0]], ['utime', [file, 0, 0]], ['futime', [fd, 0, 0]],
          ['lutime', [file, 0, 0]], ['access', [file, 0]],
        ];
        assert.equal(calls.length, 36);
        const before = nfs.statSync(file);
        for (const [name, args] of calls) {
          assert.throws(() => (fs as any)[name](t.loop, ...args, 'not a function'), TypeError, name);
          assert.throws(() => (fs as any)[name](t.loop, ...args, 42), TypeError, name);
        }
        assert.equal(t.loop.alive, false);
        assert.deepEqual(nfs.readdirSync(dir).sort(), ['file.txt']);
        const after = nfs.statSync(file);
        assert.deepEqual([after.mode, after.uid, after.size, after.mtimeMs], [before.mode, before.uid, before.size, before.mtimeMs]);
        assert.equal(nfs.readFileSync(file, 'utf8'), 'hello world');
        assert.equal(d.closed, false);
      } finally {
        fs.closedir(t.loop, d);
        nfs.closeSync(fd);
      }
    });
  });
});
