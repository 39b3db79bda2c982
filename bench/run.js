'use strict';
// `npm run bench [-- --quick] [-- --only=<regexp>]`: uvkit side by side with
// Node's own modules, a C libuv baseline and (echo cases, when installed)
// Python's uvloop, in one run, on this machine.
// Every server runs in its own process and the load comes from a C client
// (bench/c/loadclient.c; for TLS, which it lacks, bench/tls_client.js) in
// another; the implementations of a case take turns round by round so that
// noise from other work on the machine falls on all of them alike. Prints a
// table and writes bench/results.json.
const { spawn, spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const onlyArg = argv.find((a) => a.startsWith('--only='));
const ONLY = onlyArg ? new RegExp(onlyArg.slice(7)) : null;
const ROOT = path.join(__dirname, '..');
const BIN = path.join(__dirname, 'bin');

// Durations (ms) and sizes; --quick keeps every case but shortens it.
const P = QUICK
  ? { rounds: 1, warm: 100, measure: 300, pumpMeasure: 400, n: 0.1, holdConns: 2000 }
  : { rounds: 5, warm: 150, measure: 500, pumpMeasure: 700, n: 1, holdConns: 10000 };

const t0 = Date.now();
const log = (s) => process.stderr.write(s + '\n');

// ---- build the C client and the C baseline -------------------------------

function stale(out, src) {
  return !fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs;
}

function build() {
  fs.mkdirSync(BIN, { recursive: true });
  const cc = process.env.CC || 'cc';
  const cxx = process.env.CXX || 'c++';
  const client = path.join(BIN, 'loadclient');
  const clientSrc = path.join(__dirname, 'c', 'loadclient.c');
  if (stale(client, clientSrc)) execFileSync(cc, ['-O2', '-Wall', '-o', client, clientSrc], { stdio: 'inherit' });
  // The baseline is an addon built straight with the compiler against the
  // headers of the running Node (npm's nodedir if set).
  const base = path.join(BIN, 'baseline.node');
  const baseSrc = path.join(__dirname, 'c', 'baseline.cc');
  if (stale(base, baseSrc)) {
    const nodedir = process.env.npm_config_nodedir || path.dirname(path.dirname(process.execPath));
    const inc = [path.join(nodedir, 'include', 'node'), '/usr/include/node'].find((d) =>
      fs.existsSync(path.join(d, 'node_api.h')),
    );
    if (!inc) throw new Error('node_api.h not found: set npm_config_nodedir');
    const flags = ['-O2', '-std=c++17', '-shared', '-fPIC', '-DNAPI_VERSION=8', '-DNODE_GYP_MODULE_NAME=baseline'];
    if (process.platform === 'darwin') flags.push('-undefined', 'dynamic_lookup');
    execFileSync(cxx, [...flags, '-I', inc, '-o', base, baseSrc], { stdio: 'inherit' });
  }
}

// ---- processes -----------------------------------------------------------

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
function procCpu(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

function procRss(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

// uvloop, the peer from Python (bench/uvloop_server.py): the interpreter
// named by UVKIT_BENCH_PYTHON, else `python3` on the PATH, if it can import
// uvloop. The bench installs nothing; without it the uvloop rows say so (see
// docs/PERFORMANCE.md for how to get it). `python` is the interpreter's own
// path (sys.executable), so that a pyenv shim's start-up is paid once here
// and the server's pid is the interpreter's.
function findUvloop(python = process.env.UVKIT_BENCH_PYTHON || 'python3') {
  const probe = 'import sys, uvloop; print(sys.executable); print(uvloop.__version__); print(sys.version.split()[0])';
  const r = spawnSync(python, ['-c', probe], { encoding: 'utf8', timeout: 30000 });
  if (r.status !== 0) {
    const why = r.error ? r.error.code || r.error.message : (r.stderr.trim().split('\n').pop() || `exit ${r.status}`);
    return { missing: `uvloop not found (${python}: ${why})` };
  }
  const [exe, version, pythonVersion] = r.stdout.trim().split('\n');
  return { python: exe, version, pythonVersion };
}

// A server process; resolves once it has printed its port.
function startServer(impl, kind, extraArgs = [], env = {}) {
  const [cmd, args] =
    impl === 'uvloop'
      ? [uvloop().python, [path.join(__dirname, 'uvloop_server.py'), kind]]
      : [process.execPath, [...extraArgs, path.join(__dirname, 'server.js'), impl, kind]];
  if (!cmd) throw new Error(uvloop().missing);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const lines = readline.createInterface({ input: child.stdout });
  const server = { impl, kind, child, pid: child.pid, port: 0, messages: [], waiters: [] };
  lines.on('line', (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    server.messages.push(msg);
    for (const w of server.waiters.splice(0)) w();
  });
  server.next = (pred, ms = 60000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${impl} ${kind}: no answer in ${ms} ms`)), ms);
      const check = () => {
        const m = server.messages.find(pred);
        if (m) {
          server.messages.splice(server.messages.indexOf(m), 1);
          clearTimeout(timer);
          resolve(m);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`${impl} ${kind} server exited (${child.exitCode ?? child.signalCode})`));
        } else server.waiters.push(check);
      };
      child.once('exit', () => server.waiters.forEach((w) => w()));
      check();
    });
  return server.next((m) => 'port' in m).then((m) => {
    server.port = m.port;
    return server;
  });
}

function stopServer(s) {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
    s.child.once('exit', resolve);
    s.child.kill('SIGKILL');
  });
}

function runJSON(cmd, args, timeoutMs = 120000) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')}: ${r.error || r.stderr || r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const client = (...args) => runJSON(path.join(BIN, 'loadclient'), args.map(String));

// The TLS echo client (bench/tls_client.js): echo without the mode word.
const tlsClient = (...args) => runJSON(process.execPath, [path.join(__dirname, 'tls_client.js'), ...args.map(String)]);

// A self-signed certificate and key for localhost, made by the openssl CLI
// in a new temp dir; returns the server env naming them and the dir.
function makeTlsCert(openssl = process.env.UVKIT_BENCH_OPENSSL || 'openssl') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-bench-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'pipe' });
  return { dir, env: { UVKIT_BENCH_TLS_CERT: cert, UVKIT_BENCH_TLS_KEY: key } };
}

// ---- statistics and output -----------------------------------------------

const median = (xs) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = [];
let uvloopFound = null;
const uvloop = () => (uvloopFound ??= findUvloop());
const rotate = (xs, r) => xs.map((_, i) => xs[(i + r) % xs.length]);

// Adds one row per implementation; `samples[impl]` holds one object per
// round with the figure `key`. Ratios are value / peer value (for memory,
// lower is better). `missing` names peers that could not run, each with a
// row that says why.
function record(group, label, unit, samples, key, { nodeImpl = 'node', extra = {}, missing = {} } = {}) {
  const rows = {};
  for (const [impl, runs] of Object.entries(samples)) {
    const value = median(runs.map((r) => r[key]));
    // latency percentiles and server CPU of the round nearest the median
    const mid = runs.slice().sort((a, b) => Math.abs(a[key] - value) - Math.abs(b[key] - value))[0] || {};
    rows[impl] = { group, case: label, impl, unit, value, rounds: runs.map((r) => r[key]), p50us: mid.p50us, p99us: mid.p99us, serverCpu: median(runs.map((r) => r.cpu)), serverUsPerOp: median(runs.map((r) => r.cpuUsPerOp)), ...extra };
  }
  const ratio = (a, b) => (a && b ? a.value / b.value : undefined);
  for (const row of Object.values(rows)) {
    row.vsNode = row.impl === nodeImpl ? undefined : ratio(row, rows[nodeImpl]);
    row.vsC = row.impl === 'c' ? undefined : ratio(row, rows.c);
    row.vsUvloop = row.impl === 'uvloop' ? undefined : ratio(row, rows.uvloop);
    results.push(row);
  }
  for (const [impl, why] of Object.entries(missing)) results.push({ group, case: label, impl, unit, value: NaN, missing: why });
}

function fmt(v, unit) {
  if (v === undefined || Number.isNaN(v)) return '';
  if (unit === 'Gbit/s') return v.toFixed(2);
  if (unit === 'bytes') return Math.round(v).toString();
  if (v >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(3);
}

function table() {
  const head = ['case', 'impl', 'result', 'unit', 'p50 us', 'p99 us', 'vs node', 'vs C', 'vs uvloop', 'server CPU', 'CPU us/op*'];
  const x = (v) => (v === undefined ? '' : v.toFixed(2) + 'x');
  const body = results.map((r) => [
    r.case,
    r.impl,
    r.missing ? 'not installed' : fmt(r.value, r.unit),
    r.unit,
    r.p50us === undefined ? '' : r.p50us.toFixed(0),
    r.p99us === undefined ? '' : r.p99us.toFixed(0),
    x(r.vsNode),
    x(r.vsC),
    x(r.vsUvloop),
    r.serverCpu === undefined || Number.isNaN(r.serverCpu) ? '' : (r.serverCpu * 100).toFixed(0) + '%',
    r.serverUsPerOp === undefined || Number.isNaN(r.serverUsPerOp) ? '' : r.serverUsPerOp.toFixed(2),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => '| ' + cells.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ') + ' |';
  return [line(head), '|' + w.map((n, i) => (i < 2 ? ':' : '-') + '-'.repeat(n) + (i < 2 ? '-' : ':')).join('|') + '|', ...body.map(line)].join('\n');
}

// ---- cases ---------------------------------------------------------------

// Which uvkit classes this build has, asked of a child: loading the package
// here as well would register a second copy's callbacks in a test process.
const HAVE = JSON.parse(
  execFileSync(process.execPath, ['-p', `JSON.stringify(Object.keys(require(${JSON.stringify(ROOT)})))`], { encoding: 'utf8' }),
);
const HAVE_TCP = HAVE.includes('TCP');
const HAVE_PROCESS = HAVE.includes('Process');
const HAVE_TLS = HAVE.includes('TLS');
const notes = [];

const want = (name) => !ONLY || ONLY.test(name);

// One client run against a server, with the server's CPU use over it (1 =
// one core busy all the time).
function measured(server, args) {
  return measuredBy(client, server, args);
}

function measuredBy(run, server, args) {
  const c0 = procCpu(server.pid);
  const w0 = process.hrtime.bigint();
  const r = run(...args);
  const cpu = procCpu(server.pid) - c0;
  const wall = Number(process.hrtime.bigint() - w0) / 1e9;
  r.cpu = cpu / wall;
  // server CPU per operation (pump: per MiB received), scaled from the
  // whole client run (warm-up and connecting included) to the measured part
  const ops = r.count ?? (r.bytes !== undefined ? r.bytes / 1048576 : 0);
  if (ops) r.cpuUsPerOp = ((cpu * 1e6) / ops) * (r.seconds / wall);
  return r;
}

// The peers of the echo cases: uvloop joins when it is installed, else each
// case gets a row saying it is not (and the run a note on how to get it).
function echoPeers(impls) {
  if (uvloop().python) return { impls: [...impls, 'uvloop'], missing: {} };
  if (!notes.some((n) => n.startsWith('uvloop'))) {
    notes.push(`${uvloop().missing}: the uvloop rows are empty; docs/PERFORMANCE.md says how to install it.`);
  }
  return { impls, missing: { uvloop: uvloop().missing } };
}

const ECHO_SIZES = [64, 1024, 16384];
const sizeName = (size) => (size < 1024 ? size + ' B' : size / 1024 + ' KiB');

// The one echo case that also runs the uvkit-buffer server (reads into a
// caller's buffer, bench/server.js).
const BUFFER_ECHO = 'tcp echo 16 KiB x10';

async function tcpEcho() {
  if (!ECHO_SIZES.some((size) => [10, 100].some((conns) => want(`tcp echo ${sizeName(size)} x${conns}`)))) return;
  const { impls, missing } = echoPeers(HAVE_TCP ? ['uvkit', 'uvkit-attached', 'node', 'c'] : ['node', 'c']);
  if (!HAVE_TCP) notes.push('uvkit TCP is not in this build: TCP cases ran node and c only.');
  const servers = [];
  for (const impl of HAVE_TCP && want(BUFFER_ECHO) ? [...impls, 'uvkit-buffer'] : impls) {
    servers.push(await startServer(impl, 'echo'));
  }
  for (const s of servers) client('echo', s.port, 10, 1024, 0, 300); // JIT warm-up
  for (const size of ECHO_SIZES) {
    for (const conns of [10, 100]) {
      const label = `tcp echo ${sizeName(size)} x${conns}`;
      if (!want(label)) continue;
      const caseServers = servers.filter((s) => s.impl !== 'uvkit-buffer' || label === BUFFER_ECHO);
      const samples = Object.fromEntries(caseServers.map((s) => [s.impl, []]));
      for (let r = 0; r < P.rounds; r++) {
        for (const s of rotate(caseServers, r)) {
          samples[s.impl].push(measured(s, ['echo', s.port, conns, size, P.warm, P.measure]));
        }
      }
      record('tcp', label, 'round trips/s', samples, 'perSec', { missing });
      log(`${label} done`);
    }
  }
  await Promise.all(servers.map(stopServer));
}

async function tcpPump() {
  const label = 'tcp pump x1';
  if (!want(label)) return;
  const impls = HAVE_TCP ? ['uvkit', 'uvkit-attached', 'uvkit-buffer', 'node', 'c'] : ['node', 'c'];
  const servers = [];
  for (const impl of impls) servers.push(await startServer(impl, 'sink'));
  const samples = Object.fromEntries(impls.map((i) => [i, []]));
  // one stream is at the mercy of the scheduler: more, shorter rounds
  for (let r = 0; r < P.rounds + 2; r++) {
    for (const s of rotate(servers, r)) samples[s.impl].push(measured(s, ['pump', s.port, 1, 65536, P.warm, P.pumpMeasure]));
  }
  record('tcp', label, 'Gbit/s', samples, 'gbitPerSec');
  log(`${label} done`);
  await Promise.all(servers.map(stopServer));
}

async function udpEcho() {
  if (!want('udp echo 64 B x1') && !want('udp echo 64 B x10')) return;
  const { impls, missing } = echoPeers(['uvkit', 'uvkit-attached', 'node', 'c']);
  const servers = [];
  for (const impl of impls) servers.push(await startServer(impl, 'udp'));
  for (const s of servers) client('udp', s.port, 10, 64, 0, 300);
  for (const flows of [1, 10]) {
    const label = `udp echo 64 B x${flows}`;
    if (!want(label)) continue;
    const samples = Object.fromEntries(impls.map((i) => [i, []]));
    for (let r = 0; r < P.rounds; r++) {
      for (const s of rotate(servers, r)) samples[s.impl].push(measured(s, ['udp', s.port, flows, 64, P.warm, P.measure]));
    }
    record('udp', label, 'round trips/s', samples, 'perSec', { missing });
    log(`${label} done`);
  }
  await Promise.all(servers.map(stopServer));
}

// TLS echo: uvkit's TLS server against Node's tls server, both driven by
// the same Node TLS client (bench/tls_client.js), in turns as above.
async function tlsEcho() {
  const label = 'tls echo 1 KiB x10';
  if (!want(label)) return;
  const impls = HAVE_TLS ? ['uvkit', 'node'] : ['node'];
  if (!HAVE_TLS) notes.push('uvkit TLS is not in this build: the TLS case ran node only.');
  const cert = makeTlsCert();
  const servers = [];
  try {
    for (const impl of impls) servers.push(await startServer(impl, 'tls', [], cert.env));
    for (const s of servers) tlsClient(s.port, 10, 1024, 0, 300); // JIT warm-up
    const samples = Object.fromEntries(impls.map((i) => [i, []]));
    for (let r = 0; r < P.rounds; r++) {
      for (const s of rotate(servers, r)) samples[s.impl].push(measuredBy(tlsClient, s, [s.port, 10, 1024, P.warm, P.measure]));
    }
    record('tls', label, 'round trips/s', samples, 'perSec');
    log(`${label} done`);
  } finally {
    await Promise.all(servers.map(stopServer));
    fs.rmSync(cert.dir, { recursive: true, force: true });
  }
}

// In-process cases: bench/micro.js, one process per run.
function micro(name, label, n, unit = 'ops/s') {
  if (!want(label)) return;
  const impls = ['uvkit', 'node'];
  const samples = { uvkit: [], node: [] };
  for (let r = 0; r < P.rounds; r++) {
    for (const impl of rotate(impls, r)) {
      const res = runJSON(process.execPath, [path.join(__dirname, 'micro.js'), name, impl, String(n)]);
      samples[impl].push({ perSec: res.ops / res.seconds });
    }
  }
  record('micro', label, unit, samples, 'perSec');
  log(`${label} done`);
}

// RSS per idle connection: the server's anonymous RSS growth (after full
// GCs) from listening to holding `conns` connections, each reading.
async function memory() {
  const conns = P.holdConns;
  const label = `rss per idle tcp conn (${conns.toLocaleString('en-US')})`;
  if (!want(label) || !HAVE_TCP) return;
  const samples = { uvkit: [], node: [] };
  for (const impl of ['uvkit', 'node']) {
    const s = await startServer(impl, 'hold', ['--expose-gc']);
    const before = await s.next((m) => 'rss' in m && !('held' in m));
    const holder = spawn(path.join(BIN, 'loadclient'), ['hold', String(s.port), String(conns)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const after = await s.next((m) => m.held === conns, 120000);
    samples[impl].push({ perConn: (after.rss - before.rss) / conns });
    holder.stdin.end();
    await new Promise((resolve) => holder.once('exit', resolve));
    await stopServer(s);
  }
  record('memory', label, 'bytes', samples, 'perConn');
  log(`${label} done`);
}

// The acceptance targets of the benchmark issue: [case, impl, peer column, minimum or maximum].
const TARGETS = [
  ['tcp echo 1 KiB x10', 'uvkit', 'vsNode', '>=', 1.5],
  ['tcp echo 1 KiB x10', 'uvkit', 'vsC', '>=', 0.7],
  ['tcp echo 64 B x100', 'uvkit', 'vsNode', '>=', 1.5],
  ['tcp pump x1', 'uvkit', 'vsNode', '>=', 1.0],
  // issue 13, item 2: reads into one caller's buffer (startRead's options.buffer)
  ['tcp pump x1', 'uvkit-buffer', 'vsNode', '>=', 1.2],
  ['udp echo 64 B x10', 'uvkit', 'vsNode', '>=', 1.5],
  [/^timers /, 'uvkit', 'vsNode', '>=', 2.0],
  [/^fs\.stat async/, 'uvkit', 'vsNode', '>=', 1.2],
  [/^rss per idle/, 'uvkit', 'vsNode', '<=', 0.5],
  // issue 13: the fastest libuv binding in a scripting language
  ['tcp echo 64 B x100', 'uvkit', 'vsUvloop', '>=', 1.05],
  ['tcp echo 1 KiB x10', 'uvkit', 'vsUvloop', '>=', 1.05],
  ['tcp echo 16 KiB x10', 'uvkit', 'vsUvloop', '>=', 1.05],
  ['tcp echo 64 B x100', 'uvkit', 'vsC', '>=', 0.9],
  ['tcp echo 1 KiB x10', 'uvkit', 'vsC', '>=', 0.9],
  ['tcp echo 16 KiB x10', 'uvkit', 'vsC', '>=', 0.9],
  ['udp echo 64 B x10', 'uvkit', 'vsUvloop', '>=', 1.1],
  [/^callbacks: Async/, 'uvkit', 'vsNode', '>=', 1.0],
];
const PEER = { vsNode: 'node', vsC: 'c', vsUvloop: 'uvloop' };

function targets() {
  const out = [];
  for (const [match, impl, col, op, want] of TARGETS) {
    const row = results.find((r) => r.impl === impl && (typeof match === 'string' ? r.case === match : match.test(r.case)));
    if (!row || row[col] === undefined) continue;
    const got = row[col];
    const met = op === '>=' ? got >= want : got <= want;
    out.push({ case: row.case, impl, versus: PEER[col], target: `${op} ${want}x`, measured: Number(got.toFixed(2)), met });
  }
  return out;
}

function machine() {
  const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || os.cpus()[0]?.model;
  return {
    nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
    cpu,
    node: process.version,
    libuv: process.versions.uv,
    kernel: os.release(),
    ulimitN: spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim(),
    uvloop: uvloop().version ? `uvloop ${uvloop().version}, Python ${uvloop().pythonVersion}` : uvloop().missing,
  };
}

async function main() {
  build();
  const m = machine();
  log(`uvkit bench${QUICK ? ' --quick' : ''}: ${m.nproc} cores, ${m.cpu}, node ${m.node}; ${m.uvloop}`);
  await tcpEcho();
  await tcpPump();
  await udpEcho();
  await tlsEcho();
  const n = (x) => Math.round(x * P.n);
  micro('timers', `timers ${n(1e6).toLocaleString('en-US')} started+fired`, n(1e6), 'timers/s');
  micro('stat', `fs.stat async ${n(1e5).toLocaleString('en-US')}`, n(1e5), 'stats/s');
  micro('statSync', `fs.stat sync ${n(1e5).toLocaleString('en-US')}`, n(1e5), 'stats/s');
  micro('idle', `callbacks: Idle vs setImmediate ${n(1e6).toLocaleString('en-US')}`, n(1e6), 'calls/s');
  micro('async', `callbacks: Async vs setImmediate ${n(1e6).toLocaleString('en-US')}`, n(1e6), 'calls/s');
  if (HAVE_PROCESS) micro('spawn', `spawn ${n(500)} processes`, n(500), 'spawns/s');
  else notes.push('uvkit Process is not in this build: the spawn case did not run.');
  await memory();
  const seconds = (Date.now() - t0) / 1000;
  const goals = targets();
  const out = { date: new Date().toISOString(), command: `npm run bench${QUICK ? ' -- --quick' : ''}`, quick: QUICK, seconds, machine: m, params: P, notes, results, targets: goals };
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(table());
  console.log('* server CPU time per round trip (pump: per MiB received), all threads of the server process');
  if (goals.length > 0) {
    console.log('\ntargets (uvkit blocking run()):');
    for (const g of goals) {
      const impl = g.impl === 'uvkit' ? '' : ` (${g.impl})`;
      console.log(`  ${g.met ? 'met ' : 'MISS'}  ${g.case}${impl} vs ${g.versus}: ${g.measured}x (target ${g.target})`);
    }
  }
  for (const note of notes) console.log(`note: ${note}`);
  console.log(`\n${m.nproc} cores (${m.cpu}), node ${m.node}, libuv ${m.libuv}; ${m.uvloop}; ${seconds.toFixed(0)} s; results in bench/results.json`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

// For test/bench.test.ts: the build and the pieces of one measurement.
module.exports = { build, startServer, stopServer, client, tlsClient, makeTlsCert, findUvloop };
