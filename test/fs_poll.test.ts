import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FSPoll, FSPollError, HandleClosedError, Stat, Timer, errno } from '../lib/index';
import { runNode, throwsLike, useLoop } from './helpers';

const STAT_KEYS = ['dev', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'ino', 'size', 'blksize', 'blocks',
  'flags', 'gen', 'atimeMs', 'mtimeMs', 'ctimeMs', 'birthtimeMs'];

describe('FSPoll', () => {
  const t = useLoop();
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-fspoll-')));
    file = path.join(dir, 'polled');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('missing, created, rewritten twice, deleted: one callback each, in order', () => {
    const p = new FSPoll(t.loop);
    const seen: Array<[string | null, number | null, number | null]> = [];
    const steps = [
      () => fs.writeFileSync(file, 'a'),
      () => fs.writeFileSync(file, 'bb'),
      () => fs.writeFileSync(file, 'ccc'),
      () => fs.unlinkSync(file),
      () => {
        // Quiet for three more intervals: no further callback may come.
        const timer = new Timer(t.loop);
        timer.start(() => {
          timer.close();
          p.close();
        }, 350);
      },
    ];
    p.start(file, 100, (err, prev, curr, h) => {
      assert.equal(h, p);
      if (err) {
        assert.ok(err instanceof FSPollError);
        assert.equal(err.syscall, 'uv_fs_poll');
        assert.equal(err.path, file);
      }
      seen.push([err && err.code, prev && prev.size, curr && curr.size]);
      steps.shift()!();
    });
    assert.equal(p.path, file);
    t.loop.run();
    assert.deepEqual(seen, [
      ['ENOENT', null, null], // never seen: no prev
      [null, null, 1], // created
      [null, 1, 2],
      [null, 2, 3],
      ['ENOENT', 3, null], // deleted: prev is the last stat
    ]);
  });

  it('an existing file gives no first callback; a change gives the stats fs.statSync gives', () => {
    fs.writeFileSync(file, 'hello');
    const before = fs.statSync(file);
    const p = new FSPoll(t.loop);
    let calls = 0;
    let prevStat: Stat | null = null;
    let currStat: Stat | null = null;
    p.start(file, 20, (err, prev, curr) => {
      calls++;
      assert.equal(err, null);
      prevStat = prev;
      currStat = curr;
      p.stop();
    });
    const timer = new Timer(t.loop);
    timer.start(() => {
      fs.appendFileSync(file, ' world');
      timer.close();
    }, 100);
    t.loop.run();
    assert.equal(calls, 1);
    const after = fs.statSync(file);
    const prev = prevStat as unknown as Stat;
    const curr = currStat as unknown as Stat;
    assert.deepEqual(Object.keys(curr), STAT_KEYS);
    for (const [s, n] of [[prev, before], [curr, after]] as const) {
      for (const k of ['dev', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'ino', 'size', 'blksize', 'blocks',
        'mtimeMs', 'ctimeMs'] as const) {
        assert.equal(s[k], Number(n[k]), k);
      }
    }
    assert.equal(prev.size, 5);
    assert.equal(curr.size, 11);
  });

  it('path is null until started and after stop(); start() on a started poll restarts it', () => {
    const p = new FSPoll(t.loop);
    assert.equal(p.path, null);
    p.start(file, 1000, () => assert.fail('first callback must not run'));
    assert.equal(p.active, true);
    const other = path.join(dir, 'other');
    const codes: string[] = [];
    p.start(other, 10, (err) => {
      codes.push(err!.code);
      p.stop();
    });
    assert.equal(p.path, other);
    t.loop.run();
    assert.deepEqual(codes, ['ENOENT']);
    assert.equal(p.active, false);
    assert.equal(p.path, null);
  });

  it('restarts safely while a stat is in flight, from outside and from its own callback', () => {
    // libuv aborts on an assertion if a uv_fs_poll_t is restarted while the
    // previous start's stat is pending; run it in a child so a regression
    // shows as a failed test, not a dead test runner.
    const script = `
      const fs = require('fs'), path = require('path');
      const { Loop, FSPoll, Timer } = require('./');
      const dir = ${JSON.stringify(dir)};
      const b = path.join(dir, 'b');
      fs.writeFileSync(b, 'x');
      const loop = new Loop();
      const p = new FSPoll(loop);
      const log = [];
      p.start(path.join(dir, 'missing-a'), 10, () => log.push('old'));
      p.stop();
      p.start(path.join(dir, 'missing-a'), 10, (err) => {
        log.push('a ' + err.code);
        p.stop();
        p.start(b, 10, (err, prev, curr) => log.push('b ' + curr.size));
      });
      const t = new Timer(loop);
      let i = 0;
      t.start(() => {
        if (++i === 5) fs.writeFileSync(b, 'xy');
        if (i === 12) { t.close(); p.close(); }
      }, 20, 20);
      loop.run();
      loop.close();
      console.log(JSON.stringify(log));
    `;
    const res = runNode(script);
    assert.equal(res.stderr, '');
    assert.equal(res.status, 0);
    assert.deepEqual(JSON.parse(res.stdout), ['a ENOENT', 'b 2']);
  });

  it('keeps polling with no JS reference to it', () => {
    let calls = 0;
    (() => {
      new FSPoll(t.loop).start(file, 10, (err, prev, curr, h) => {
        calls++;
        assert.equal(err!.code, 'ENOENT');
        h.close();
      });
    })();
    if (global.gc) global.gc();
    t.loop.run();
    assert.equal(calls, 1);
  });

  it('rejects bad arguments and calls on a closed handle', () => {
    const p = new FSPoll(t.loop);
    assert.throws(() => p.start(null as any, 10, () => {}), TypeError);
    assert.throws(() => p.start(file, -1, () => {}), RangeError);
    assert.throws(() => p.start(file, NaN, () => {}), RangeError);
    assert.throws(() => p.start(file, '10' as any, () => {}), TypeError);
    assert.throws(() => p.start(file, 10, 'cb' as any), TypeError);
    assert.equal(p.active, false);
    p.close();
    throwsLike(() => p.start(file, 10, () => {}), HandleClosedError);
    throwsLike(() => p.stop(), HandleClosedError);
    assert.equal(p.path, null);
    assert.equal(errno.UV_ENOENT < 0, true);
  });
});
