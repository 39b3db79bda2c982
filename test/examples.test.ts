// Runs every example in examples/ as a real child process, drives it the way
// a user would (clients, datagrams, stdin, terminal keys, file changes),
// checks what it prints, stops it with SIGINT where it runs until stopped,
// and requires a clean exit: status 0 and nothing on stderr.
import { strict as assert } from 'assert';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { root } from './helpers';

const examples = path.join(root, 'examples');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** An example running in a child process, with its output collected. */
class Example {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  private readonly exited: Promise<Exit>;
  private waiters: Array<() => void> = [];

  constructor(name: string, args: string[] = [], opts: { cwd?: string } = {}) {
    this.child = spawn(process.execPath, [path.join(examples, name), ...args], {
      cwd: opts.cwd ?? root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
      this.waiters.forEach((w) => w());
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
        this.waiters.forEach((w) => w());
      });
    });
    running.add(this);
  }

  /** Resolves with the first match of `re` in stdout; rejects after `ms` or if the example ends first. */
  waitFor(re: RegExp, ms = 10000): Promise<RegExpExecArray> {
    return this.waitUntil(() => re.exec(this.stdout), String(re), ms);
  }

  /** Resolves with `test()`'s first non-null result, tried on each output; rejects after `ms` or at exit. */
  waitUntil<T>(test: () => T | null, what: string, ms = 10000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = test();
        if (m !== null) {
          finish();
          resolve(m);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          finish();
          reject(new Error(`example ended before printing ${what}:\n${this.stdout}\n${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out waiting for ${what}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`));
      }, ms);
      const finish = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  /** Resolves once the example has exited (and its output is in); rejects after `ms`. */
  exit(ms = 10000): Promise<Exit> {
    return Promise.race([
      this.exited,
      new Promise<Exit>((_, reject) =>
        setTimeout(() => reject(new Error(`did not exit; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`)), ms).unref()),
    ]);
  }

  /** Sends SIGINT and requires exit status 0 with nothing on stderr. */
  async interrupt(): Promise<Exit> {
    this.child.kill('SIGINT');
    return cleanExit(await this.exit());
  }
}

function cleanExit(res: Exit): Exit {
  assert.deepEqual([res.code, res.signal, res.stderr], [0, null, ''], `stdout:\n${res.stdout}`);
  return res;
}

// Anything a failed test left running is killed.
const running = new Set<Example>();
afterEach(() => {
  for (const ex of running) if (ex.child.exitCode === null && ex.child.signalCode === null) ex.child.kill('SIGKILL');
  running.clear();
});

/** Connects to 127.0.0.1:port, sends `data`, resolves with the echo once `data.length` bytes came back. */
function echoOnce(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const s = net.connect(port, '127.0.0.1', () => s.write(data));
    s.on('data', (d) => {
      chunks.push(d);
      got += d.length;
      if (got >= data.length) s.end();
    });
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** A connected client that stays open: resolves once `hello` was echoed. */
function idleClient(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write('hello'));
    s.once('data', (d) => (d.toString() === 'hello' ? resolve(s) : reject(new Error(`echo: ${d}`))));
    s.on('error', reject);
  });
}

function closed(s: net.Socket): Promise<void> {
  return new Promise((resolve) => (s.destroyed ? resolve() : s.on('close', () => resolve())));
}

/** A port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function count(text: string, re: RegExp): number {
  return (text.match(new RegExp(re.source, 'g')) ?? []).length;
}

describe('examples', function () {
  this.timeout(30000);

  describe('tcp-echo.js', () => {
    it('echoes per connection (1 MiB intact), logs resets, closes the open connections on SIGINT, exits 0', async () => {
      const ex = new Example('tcp-echo.js');
      const port = Number((await ex.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]);
      const big = Buffer.alloc(1 << 20);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
      const [a, b] = await Promise.all([echoOnce(port, Buffer.from('hello')), echoOnce(port, big)]);
      assert.equal(a.toString(), 'hello');
      assert.ok(b.equals(big), 'the 1 MiB echo differs');

      const reset = await idleClient(port);
      reset.resetAndDestroy(); // RST: the server's read fails with ECONNRESET
      await ex.waitFor(/: ECONNRESET\n.* closed\n/);

      const open = await Promise.all([idleClient(port), idleClient(port)]);
      const res = await ex.interrupt();
      await Promise.all(open.map(closed));
      assert.equal(count(res.stdout, /connection from 127\.0\.0\.1:\d+\n/), 5);
      assert.equal(count(res.stdout, /127\.0\.0\.1:\d+ closed\n/), 3);
      assert.match(res.stdout, /SIGINT: closing the server and 2 connection\(s\)\nbye\n$/);
    });

    it('listens on the port given on the command line', async () => {
      const port = await freePort();
      const ex = new Example('tcp-echo.js', [String(port)]);
      await ex.waitFor(new RegExp(`listening on 127\\.0\\.0\\.1:${port}\\n`));
      assert.equal((await echoOnce(port, Buffer.from('x'))).toString(), 'x');
      await ex.interrupt();
    });

    it('handles 1000 concurrent connections: all connected at once, each echoed intact', async function () {
      const limit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout);
      // The clients here and the server's accepted sockets each take an fd.
      if (limit < 1200) this.skip();
      const ex = new Example('tcp-echo.js');
      const port = Number((await ex.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]);
      const N = 1000;
      const sockets: net.Socket[] = [];
      await Promise.all(Array.from({ length: N }, (_, i) => new Promise<void>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => resolve());
        s.on('error', reject);
        s.setEncoding('utf8');
        sockets[i] = s;
      })));
      // Every client is connected (none closed): now each sends its own message.
      const echoed = sockets.map((s, i) => new Promise<void>((resolve, reject) => {
        const msg = `client ${i} `.repeat(1 + (i % 7));
        let got = '';
        s.on('data', (d: string) => {
          got += d;
          if (got.length < msg.length) return;
          if (got === msg) resolve();
          else reject(new Error(`client ${i} got ${JSON.stringify(got)}`));
        });
        s.write(msg);
      }));
      await Promise.all(echoed);
      // The server still holds all 1000: SIGINT closes them all. (Its log
      // lines may arrive only now: while run() blocks, Node's own loop does
      // not turn, and a console.log that found the stdout pipe full waits.)
      const res = await ex.interrupt();
      await Promise.all(sockets.map(closed));
      assert.equal(count(res.stdout, /connection from 127\.0\.0\.1:\d+\n/), N);
      assert.match(res.stdout, /SIGINT: closing the server and 1000 connection\(s\)\nbye\n$/);
    });
  });

  describe('udp-echo.js', () => {
    it('sends every datagram back to its sender (an empty one too), exits 0 on SIGINT', async () => {
      const ex = new Example('udp-echo.js');
      const port = Number((await ex.waitFor(/listening on udp 127\.0\.0\.1:(\d+)/))[1]);
      const sock = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
      const replies: string[] = [];
      const sent = ['one', 'two two', '', 'x'.repeat(8000)];
      const done = new Promise<void>((resolve) => sock.on('message', (msg, rinfo) => {
        assert.equal(rinfo.port, port);
        replies.push(msg.toString());
        if (replies.length === sent.length) resolve();
      }));
      for (const m of sent) sock.send(m, port, '127.0.0.1'); // loopback: none are lost
      await done;
      sock.close();
      assert.deepEqual(replies.slice().sort(), sent.slice().sort());
      const res = await ex.interrupt();
      assert.equal(count(res.stdout, /\d+ bytes from 127\.0\.0\.1:\d+\n/), 4);
      assert.match(res.stdout, /\n0 bytes from /);
      assert.match(res.stdout, /\n8000 bytes from /);
      assert.match(res.stdout, /SIGINT: closing\nbye\n$/);
    });
  });

  describe('pipe-echo.js', () => {
    it('on socket stdio: echoes each write as it comes, ends at the end of input', async () => {
      const ex = new Example('pipe-echo.js');
      ex.child.stdin!.write('first\n');
      await ex.waitFor(/^first\n$/);
      ex.child.stdin!.write('second\n');
      await ex.waitFor(/^first\nsecond\n$/);
      ex.child.stdin!.end('last');
      const res = await ex.exit();
      assert.deepEqual([res.code, res.signal, res.stdout], [0, null, 'first\nsecond\nlast']);
      assert.equal(res.stderr, 'pipe-echo: end of input, 17 bytes echoed\n');
    });

    it('stops on SIGINT with stdin still open', async () => {
      const ex = new Example('pipe-echo.js');
      ex.child.stdin!.write('ping');
      await ex.waitFor(/^ping$/);
      ex.child.kill('SIGINT');
      const res = await ex.exit();
      assert.deepEqual([res.code, res.signal, res.stdout], [0, null, 'ping']);
      assert.equal(res.stderr, 'pipe-echo: SIGINT, 4 bytes echoed\n');
    });

    it('between real pipes (a shell pipeline): 4 MiB intact', () => {
      const data = Buffer.alloc(4 << 20);
      for (let i = 0; i < data.length; i++) data[i] = (i * 13 + (i >> 12)) & 0xff;
      const script = path.join(examples, 'pipe-echo.js');
      const res = spawnSync('sh', ['-c', `cat | "${process.execPath}" "${script}" | cat`], {
        input: data, timeout: 20000, maxBuffer: 16 << 20,
      });
      assert.equal(res.status, 0, String(res.stderr));
      assert.ok(res.stdout.equals(data), 'the echo differs');
      assert.equal(res.stderr.toString(), `pipe-echo: end of input, ${4 << 20} bytes echoed\n`);
    });

    it('refuses a stdin that is a file (a Pipe cannot stream it): status 2, a message', () => {
      const file = fs.openSync(__filename, 'r');
      const res = spawnSync(process.execPath, [path.join(examples, 'pipe-echo.js')], {
        stdio: [file, 'pipe', 'pipe'], encoding: 'utf8', timeout: 10000,
      });
      fs.closeSync(file);
      assert.deepEqual([res.status, res.stdout, res.stderr], [2, '', 'pipe-echo: fd 0 is not a pipe or a socket\n']);
    });
  });

  describe('tty-echo.js (on a pseudo-terminal)', () => {
    // Runs the example on a fresh pty (80x24), waits for its banner, types
    // `keys`, waits for `expect` to be shown, then ends it with `how` (a key
    // or 'SIGINT'). Keeps the slave side open to compare the terminal's
    // modes before, during and after. Prints JSON. Bounded by alarm().
    const host = `
import json, os, select, signal, struct, subprocess, sys, fcntl, termios, time
signal.alarm(25)
node, code, keys, expect, how = sys.argv[1:6]
master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
before = termios.tcgetattr(slave)
child = subprocess.Popen([node, '-e', code], stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
out, stage, during = b'', 0, None
deadline = time.time() + 20
while time.time() < deadline:
    if select.select([master], [], [], 0.05)[0]:
        out += os.read(master, 65536)
    elif child.poll() is not None:
        break
    if stage == 0 and b'Ctrl-D ends' in out:
        during = termios.tcgetattr(slave)
        os.write(master, keys.encode())
        stage = 1
    if stage == 1 and expect.encode() in out:
        if how == 'SIGINT':
            os.kill(child.pid, signal.SIGINT)
        else:
            os.write(master, how.encode())
        stage = 2
try:
    status = child.wait(timeout=5)
except subprocess.TimeoutExpired:
    child.kill()
    status = 98
print(json.dumps({'out': out.decode('utf8', 'replace'), 'status': status, 'stage': stage,
                  'rawDuring': during is not None and not (during[3] & (termios.ICANON | termios.ECHO)),
                  'restored': termios.tcgetattr(slave) == before}))
`;
    // Once the example is done, and before Node's own exit code restores the
    // terminal anyway, stty shows the modes the example left.
    const code = `require(${JSON.stringify(path.join(examples, 'tty-echo.js'))});
      const stty = require('child_process').execFileSync('stty', ['-a'], { stdio: [0, 'pipe', 'inherit'] });
      console.log('AFTER', /(^|\\s)-icanon\\s/.test(stty) ? 'raw' : /(^|\\s)icanon\\s/.test(stty) ? 'cooked' : '?');`;
    function runOnPty(keys: string, expect: string, how: string) {
      const res = spawnSync('python3', ['-c', host, process.execPath, code, keys, expect, how], {
        encoding: 'utf8', timeout: 30000,
      });
      assert.equal(res.status, 0, res.stderr);
      return JSON.parse(res.stdout) as { out: string; status: number; stage: number; rawDuring: boolean; restored: boolean };
    }

    it('shows each key at once in raw mode (Enter as a new line, control keys as ^X); Ctrl-C ends it, mode restored', () => {
      const r = runOnPty('ab\r\x01é', 'ab\r\n^Aé', '\x03');
      assert.equal(r.stage, 2, r.out);
      assert.equal(r.status, 0, r.out);
      assert.ok(r.rawDuring, 'the terminal was not in raw mode');
      assert.ok(r.restored, 'the terminal mode was not restored');
      assert.match(r.out, /^tty-echo \(pid \d+\) on a 80x24 terminal: type, Ctrl-C or Ctrl-D ends\r\n/);
      assert.match(r.out, /ends\r\nab\r\n\^Aé\r\nCtrl-C: terminal mode restored\r\nAFTER cooked\r\n$/);
    });

    it('a SIGINT from outside ends it the same way', () => {
      const r = runOnPty('xyz', 'xyz', 'SIGINT');
      assert.equal(r.stage, 2, r.out);
      assert.equal(r.status, 0, r.out);
      assert.ok(r.rawDuring && r.restored, r.out);
      assert.match(r.out, /ends\r\nxyz\r\nSIGINT: terminal mode restored\r\nAFTER cooked\r\n$/);
    });
  });

  describe('poll-echo.js', () => {
    it('echoes by hand with Poll: small and 8 MiB (the peer not reading at first: EAGAIN, UV_WRITABLE), resets, SIGINT', async () => {
      const ex = new Example('poll-echo.js');
      const port = Number((await ex.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]);
      assert.equal((await echoOnce(port, Buffer.from('hello'))).toString(), 'hello');
      await ex.waitFor(/fd \d+: EOF after 5 bytes\n/);

      // A client that sends 8 MiB and reads nothing for a while: the server's
      // writes fill the socket, it waits for UV_WRITABLE and stops reading.
      const big = Buffer.alloc(8 << 20);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 16)) & 0xff;
      const echo = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        let got = 0;
        const s = net.connect(port, '127.0.0.1', () => {
          s.pause();
          s.write(big);
          setTimeout(() => s.resume(), 300);
        });
        s.on('data', (d) => {
          chunks.push(d);
          if ((got += d.length) >= big.length) s.end();
        });
        s.on('error', reject);
        s.on('close', () => resolve(Buffer.concat(chunks)));
      });
      assert.ok(echo.equals(big), `the 8 MiB echo differs (${echo.length} bytes)`);
      await ex.waitFor(new RegExp(`fd \\d+: EOF after ${8 << 20} bytes\\n`));

      const reset = await idleClient(port);
      reset.resetAndDestroy(); // the fd gets an error condition: libuv's Poll reports it as EBADF
      await ex.waitFor(/fd \d+: EBADF after 5 bytes\n/);

      const open = await idleClient(port);
      const res = await ex.interrupt();
      await closed(open);
      assert.equal(count(res.stdout, /connection on fd \d+\n/), 4);
      assert.match(res.stdout, /SIGINT: closing the server and 1 connection\(s\)\nfd \d+: SIGINT after 5 bytes\nbye\n$/);
    });
  });

  describe('spawn-pipe.js', () => {
    it('runs ls -la by default and prints how it ended', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-spawn-pipe-'));
      try {
        fs.writeFileSync(path.join(dir, 'marker-file.txt'), 'x');
        const ex = new Example('spawn-pipe.js', [], { cwd: dir });
        const res = cleanExit(await ex.exit());
        assert.match(res.stdout, /^\[started ls -la, pid \d+\]\ntotal \d+\n/);
        assert.match(res.stdout, / marker-file\.txt\n\[\d+ bytes in \d+ chunk\(s\)\]\n\[ls exited with status 0\]\n$/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('streams output as it arrives (the child waits for input after its first line), and its exit status', async () => {
      const child = `console.log('first'); process.stdin.once('data', (d) => { console.log('second ' + d); process.exit(3); })`;
      const ex = new Example('spawn-pipe.js', [process.execPath, '-e', child]);
      await ex.waitFor(/\nfirst\n/); // only reachable if the first line was passed on before the child ended
      ex.child.stdin!.write('go');
      const res = cleanExit(await ex.exit());
      assert.match(res.stdout, /\nfirst\nsecond go\n\[\d+ bytes in 2 chunk\(s\)\]\n\[.*node exited with status 3\]\n$/);
    });

    it('a reader slower than the command: 8 MiB through intact (reading pauses until stdout drains)', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-spawn-pipe-'));
      try {
        const data = Buffer.alloc(8 << 20);
        for (let i = 0; i < data.length; i++) data[i] = 32 + ((i * 7 + (i >> 10)) % 90);
        const file = path.join(dir, 'data');
        fs.writeFileSync(file, data);
        const ex = new Example('spawn-pipe.js', ['cat', file]);
        ex.child.stdout!.pause();
        await new Promise((resolve) => setTimeout(resolve, 500));
        ex.child.stdout!.resume();
        const res = cleanExit(await ex.exit());
        const m = /^\[started cat .*\]\n([^]*)\[(\d+) bytes in \d+ chunk\(s\)\]\n\[cat exited with status 0\]\n$/.exec(res.stdout);
        assert.ok(m, res.stdout.slice(0, 200));
        assert.equal(Number(m[2]), data.length);
        assert.ok(m[1] === data.toString('latin1'), 'the output differs');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('reports a child killed by a signal', async () => {
      const res = cleanExit(await new Example('spawn-pipe.js', ['sh', '-c', 'echo bye; kill -TERM $$']).exit());
      assert.match(res.stdout, /\nbye\n\[4 bytes in 1 chunk\(s\)\]\n\[sh was killed by signal 15\]\n$/);
    });

    it('a command that does not exist: the error, status 127', async () => {
      const res = await new Example('spawn-pipe.js', ['no-such-command-uvkit']).exit();
      assert.deepEqual([res.code, res.stdout, res.stderr], [127, '', "ENOENT: no such file or directory, spawn 'no-such-command-uvkit'\n"]);
    });
  });

  describe('file-watch.js', () => {
    let dir = '';
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-file-watch-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('a directory: entries created, written, renamed, deleted; SIGINT', async () => {
      const ex = new Example('file-watch.js', [dir, '50']);
      await ex.waitFor(/^watching .* \(stat every 50 ms\)\n/);
      fs.writeFileSync(path.join(dir, 'a.txt'), 'one');
      await ex.waitFor(/event: rename a\.txt\n[^]*event: change a\.txt\n/);
      fs.renameSync(path.join(dir, 'a.txt'), path.join(dir, 'b.txt'));
      await ex.waitFor(/event: rename b\.txt\n/);
      fs.unlinkSync(path.join(dir, 'b.txt'));
      await ex.waitFor(/event: rename b\.txt\n[^]*event: rename b\.txt\n/);
      await ex.waitFor(/stat: mtime changed\n/); // the directory's own mtime, seen by FSPoll
      const res = await ex.interrupt();
      assert.match(res.stdout, /SIGINT: stopping\nbye\n$/);
    });

    it('a file: size changes, deletion and re-creation seen by FSPoll', async () => {
      const file = path.join(dir, 'watched.log');
      fs.writeFileSync(file, '12345');
      const ex = new Example('file-watch.js', [file, '50']);
      await ex.waitFor(/^watching /);
      fs.appendFileSync(file, 'abc');
      await ex.waitFor(/event: change watched\.log\n/);
      // FSPoll's first stat (its baseline, which gives no callback) runs on
      // the threadpool after start(): on a busy machine it may already see
      // this append. A second append, well after it, is a change either way.
      await new Promise((resolve) => setTimeout(resolve, 300));
      fs.appendFileSync(file, 'de');
      await ex.waitFor(/stat: size (5|8) -> 10, mtime changed\n/);
      fs.unlinkSync(file);
      await ex.waitFor(/stat: ENOENT\n/);
      fs.writeFileSync(file, 'back again');
      await ex.waitFor(new RegExp(`stat: ${file.replace(/[.\\]/g, '\\$&')} is there again, size 10\\n`));
      await ex.interrupt();
    });

    it('a path that does not exist: the error, status 1', async () => {
      const missing = path.join(dir, 'missing');
      const res = await new Example('file-watch.js', [missing]).exit();
      assert.deepEqual([res.code, res.stdout, res.stderr], [1, '', `ENOENT: no such file or directory, uv_fs_event_start '${missing}'\n`]);
    });
  });

  describe('multicore-echo.js', () => {
    it('4 worker threads share one listening socket: 300 clients land on at least 2, every one echoed', async () => {
      const tmpDirs = () => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('multicore-echo-')).sort();
      const before = tmpDirs();
      const ex = new Example('multicore-echo.js', ['0', '4']);
      const port = Number((await ex.waitFor(/listening on 127\.0\.0\.1:(\d+) with 4 worker threads\n/))[1]);
      const N = 300;
      for (let wave = 0; wave < 3; wave++) {
        await Promise.all(Array.from({ length: N / 3 }, async (_, i) => {
          const msg = Buffer.from(`wave ${wave} client ${i}`);
          assert.equal((await echoOnce(port, msg)).toString(), msg.toString());
        }));
      }
      const res = await ex.interrupt();
      const served = [...res.stdout.matchAll(/worker (\d) served (\d+) connections\n/g)].map((m) => [+m[1], +m[2]]);
      assert.deepEqual(served.map(([w]) => w).sort(), [0, 1, 2, 3], res.stdout);
      assert.equal(served.reduce((sum, [, n]) => sum + n, 0), N, res.stdout);
      assert.ok(served.filter(([, n]) => n > 0).length >= 2, `all connections went to one worker:\n${res.stdout}`);
      assert.deepEqual(tmpDirs(), before, 'the IPC socket directory was left behind');
    });
  });
});
