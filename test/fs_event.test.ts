import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  FSEvent, FSEventError, HandleClosedError, Loop, Timer, UV_CHANGE, UV_FS_EVENT_RECURSIVE, UV_RENAME,
  errno,
} from '../lib/index';
import { throwsLike, useLoop } from './helpers';

type Event = [string | null, string | null, number];

/** Runs `steps` one per 20 ms tick of a timer on `loop`, then closes `handles`. */
function runSteps(loop: Loop, steps: Array<() => void>, handles: Array<{ close(): void; closed: boolean }>) {
  const timer = new Timer(loop);
  let i = 0;
  timer.start(() => {
    if (i < steps.length) {
      steps[i++]();
      return;
    }
    timer.close();
    for (const h of handles) if (!h.closed) h.close();
  }, 20, 20);
  loop.run();
}

describe('FSEvent', () => {
  const t = useLoop();
  let dir: string;
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-fsevent-')));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reports creation, change, rename and deletion of entries of a directory', () => {
    const w = new FSEvent(t.loop);
    assert.equal(w.path, null);
    const events: Event[] = [];
    w.start(dir, 0, (err, filename, ev, h) => {
      assert.equal(h, w);
      events.push([err && err.code, filename, ev]);
    });
    assert.equal(w.path, dir);
    assert.equal(w.active, true);
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    runSteps(t.loop, [
      () => fs.writeFileSync(a, 'x'), // create + write
      () => fs.appendFileSync(a, 'y'),
      () => fs.renameSync(a, b), // moved from + moved to
      () => fs.unlinkSync(b),
    ], [w]);
    assert.deepEqual(events, [
      [null, 'a', UV_RENAME], [null, 'a', UV_CHANGE],
      [null, 'a', UV_CHANGE],
      [null, 'a', UV_RENAME], [null, 'b', UV_RENAME],
      [null, 'b', UV_RENAME],
    ]);
  });

  it('watches a single file: changes, then its rename, under its own name', () => {
    const file = path.join(dir, 'f.txt');
    fs.writeFileSync(file, '1');
    const w = new FSEvent(t.loop);
    const events: Event[] = [];
    w.start(file, 0, (err, filename, ev) => events.push([err && err.code, filename, ev]));
    assert.equal(w.path, file);
    runSteps(t.loop, [
      () => fs.appendFileSync(file, '2'),
      () => fs.renameSync(file, path.join(dir, 'g.txt')),
      () => fs.appendFileSync(path.join(dir, 'g.txt'), '3'), // same inode, still watched
    ], [w]);
    assert.deepEqual(events, [
      [null, 'f.txt', UV_CHANGE],
      [null, 'f.txt', UV_RENAME],
      [null, 'f.txt', UV_CHANGE],
    ]);
  });

  it('stop() ends the events and clears path; start() again resumes', () => {
    const w = new FSEvent(t.loop);
    const names: Array<string | null> = [];
    w.start(dir, 0, (err, filename) => {
      names.push(filename);
      w.stop();
      assert.equal(w.active, false);
      assert.equal(w.path, null);
    });
    runSteps(t.loop, [
      () => fs.writeFileSync(path.join(dir, 'one'), ''),
      () => fs.writeFileSync(path.join(dir, 'two'), ''), // not watched any more
      () => w.start(dir, 0, (err, filename) => names.push(filename)),
      () => fs.mkdirSync(path.join(dir, 'three')),
    ], [w]);
    assert.deepEqual(names, ['one', 'three']);
  });

  it('UV_FS_EVENT_RECURSIVE is accepted on Linux but does not report nested entries', () => {
    fs.mkdirSync(path.join(dir, 'sub'));
    const w = new FSEvent(t.loop);
    const events: Event[] = [];
    w.start(dir, UV_FS_EVENT_RECURSIVE, (err, filename, ev) => events.push([err && err.code, filename, ev]));
    runSteps(t.loop, [
      () => fs.writeFileSync(path.join(dir, 'sub', 'deep'), 'x'),
      () => fs.appendFileSync(path.join(dir, 'sub', 'deep'), 'y'),
      () => fs.mkdirSync(path.join(dir, 'top')),
    ], [w]);
    assert.deepEqual(events, [[null, 'top', UV_RENAME]]);
  });

  it('close() inside the callback stops delivery of the events already read', () => {
    const w = new FSEvent(t.loop);
    const names: Array<string | null> = [];
    w.start(dir, 0, (err, filename) => {
      names.push(filename);
      w.close();
    });
    runSteps(t.loop, [() => {
      for (const n of ['x1', 'x2', 'x3']) fs.mkdirSync(path.join(dir, n));
    }], []);
    assert.deepEqual(names, ['x1']);
  });

  it('keeps watching with no JS reference to it', () => {
    let calls = 0;
    (() => {
      new FSEvent(t.loop).start(dir, 0, (err, filename, ev, h) => {
        calls++;
        h.close();
      });
    })();
    if (global.gc) global.gc();
    runSteps(t.loop, [() => fs.mkdirSync(path.join(dir, 'x'))], []);
    assert.equal(calls, 1);
  });

  it('start() on a missing path throws FSEventError ENOENT with the path and stays inactive', () => {
    const w = new FSEvent(t.loop);
    const missing = path.join(dir, 'missing');
    throwsLike(() => w.start(missing, 0, () => {}), FSEventError, {
      code: 'ENOENT', errno: errno.UV_ENOENT, syscall: 'uv_fs_event_start', path: missing,
    });
    assert.equal(w.active, false);
    assert.equal(w.path, null);
  });

  it('start() on a started FSEvent throws FSEventError EINVAL (libuv) and keeps the first watch', () => {
    const w = new FSEvent(t.loop);
    w.start(dir, 0, () => {});
    throwsLike(() => w.start(os.tmpdir(), 0, () => {}), FSEventError, { code: 'EINVAL' });
    assert.equal(w.path, dir);
  });

  it('rejects bad arguments and calls on a closed handle', () => {
    const w = new FSEvent(t.loop);
    assert.throws(() => w.start(1 as any, 0, () => {}), TypeError);
    assert.throws(() => w.start(`${dir}\0`, 0, () => {}), TypeError);
    assert.throws(() => w.start(dir, '0' as any, () => {}), TypeError);
    assert.throws(() => w.start(dir, 8, () => {}), RangeError);
    assert.throws(() => w.start(dir, -1, () => {}), RangeError);
    assert.throws(() => w.start(dir, 0, undefined as any), TypeError);
    assert.equal(w.active, false);
    w.close();
    throwsLike(() => w.start(dir, 0, () => {}), HandleClosedError);
    throwsLike(() => w.stop(), HandleClosedError);
    assert.equal(w.path, null);
  });
});
