// Suite-wide leak check (a mocha root hook plugin, see .mocharc.json): once
// the whole run is over, no child process of this test process may be left
// (running or as a zombie) and no fd may be open that was not open at the
// start. Per-test checks (helpers.ts useLoop) cannot see children or fds a
// test leaves to a later test or to the end of the run.
import * as fs from 'fs';
import * as net from 'net';
import { Loop, Process, StdIO, UV_IGNORE } from '../lib/index';
import { runNode } from './helpers'; // also opens the default loop and libuv's signal pipe

/** Every open fd of this process as 'fd target' (the listing's own fd is gone by the readlink). */
function fdEntries(): string[] {
  return fs.readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [`${fd} ${fs.readlinkSync(`/proc/self/fd/${fd}`)}`];
    } catch {
      return [];
    }
  });
}

/** What an fd is, without the inode number: 'socket', 'pipe', 'anon_inode:[eventfd]', a path. */
function kind(entry: string): string {
  return entry.slice(entry.indexOf(' ') + 1).replace(/^(socket|pipe):\[\d+\]$/, '$1');
}

/**
 * The fds open now that were not at the start, counted per kind so that a
 * once-per-process fd that was closed and reopened under another number (a
 * default loop closed by a test and made again, a pool thread replaced) is
 * no leak, while any rise in a kind is, naming the new fds of that kind.
 */
function newFds(start: string[]): string[] {
  const now = fdEntries();
  const count = (list: string[]) => {
    const m = new Map<string, number>();
    for (const e of list) m.set(kind(e), (m.get(kind(e)) ?? 0) + 1);
    return m;
  };
  const before = count(start);
  const leaked: string[] = [];
  for (const [k, n] of count(now)) {
    if (n > (before.get(k) ?? 0)) {
      const added = now.filter((e) => kind(e) === k && !start.includes(e));
      leaked.push(`${n - (before.get(k) ?? 0)} more ${k} (new: ${added.map((e) => e.split(' ')[0]).join(', ')})`);
    }
  }
  return leaked;
}

/** The children of this process, zombies included, as 'pid state cmdline'. */
function children(): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(rest[1]) !== process.pid) continue;
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      // a zombie's cmdline is empty, a vanished one unreadable
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    out.push(`${pid} ${rest[0]} ${cmd || `(${comm})`}`);
  }
  return out;
}

/** Opens what stays open once opened, so that it is part of the starting fds. */
async function warmUp(): Promise<void> {
  const loop = new Loop();
  // Every queueWork pool thread (each has its own loop's fds): queued
  // together, each job gets a thread of its own.
  const poolSize = Math.min(1024, Math.max(1, Number(process.env.UV_THREADPOOL_SIZE) || 4));
  for (let i = 0; i < poolSize; i++) loop.queueWork(() => 0, []);
  // A libuv spawn (its /dev/null for UV_IGNORE) and one through Node.
  Process.spawn(loop, { args: [process.execPath, '-e', ''], stdio: [new StdIO({ flags: UV_IGNORE })] }, (s, sig, h) => h.close());
  loop.run();
  loop.close();
  runNode('');
  // Node's own first socket.
  await new Promise<void>((resolve) => {
    const server = net.createServer((c) => c.destroy()).listen(0, '127.0.0.1', () => {
      const c = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      c.on('error', () => {}).on('close', () => server.close(() => resolve()));
    });
  });
}

/** Polls `check` for up to `ms` while Node's loop runs (Node reaps its own children there). */
async function settle(check: () => string[], ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  let left = check();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = check();
  }
  return left;
}

let startFds: string[] = [];

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(30000);
    Loop.default();
    await warmUp();
    startFds = fdEntries();
  },

  async afterAll(this: Mocha.Context) {
    this.timeout(30000);
    const problems: string[] = [];
    const kids = await settle(children, 3000);
    if (kids.length > 0) problems.push(`child processes left (pid state cmdline): ${kids.join('; ')}`);
    const fds = await settle(() => newFds(startFds), 3000);
    if (fds.length > 0) problems.push(`fds left open: ${fds.join('; ')}`);
    if (problems.length > 0) throw new Error(`after the whole run: ${problems.join('\n')}`);
  },
};
