#!/usr/bin/env node
// Bind coverage, as luv keeps one: every public function of the running
// Node's uv.h, whether uvkit reaches it (and through which native file, or
// a run-time lookup in native/features.cc), or why not. Prints a table and
// the share of applicable functions reached, writes docs/COVERAGE.md, and
// exits non-zero if an applicable function is neither reached nor given a
// reason below (so a new libuv's functions are looked at when they arrive).
//
//   npm run coverage                  # the uv.h of the Node that runs it
//   npm_config_nodedir=/path/to/node node scripts/coverage.js
//   node scripts/coverage.js --no-write   # print only
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');

// Why a function is not reached. `na`: it does not apply to a script
// binding of separate loops (it is left out of the percentage). `todo`: it
// applies and is missing (counted as not reached).
const NA = 'na';
const TODO = 'todo';
const reasons = {};
function because(kind, why, names) {
  for (const name of names.trim().split(/\s+/)) reasons[name] = { kind, why };
}

because(NA, 'process-wide teardown of libuv: would pull it from under Node itself', 'uv_library_shutdown');
because(NA, "memory allocator hooks: must be set before libuv's first allocation, which Node made long ago", 'uv_replace_allocator');
because(NA, 'deprecated twins of uv_loop_init / uv_loop_close, which uvkit uses', 'uv_loop_new uv_loop_delete');
because(NA, 'Node does not support fork() of a running process', 'uv_loop_fork');
because(NA, 'C memory layout: the native layer allocates the structs itself', 'uv_loop_size uv_handle_size uv_req_size');
because(NA, 'non-reentrant twins of uv_strerror_r / uv_err_name_r, which uvkit uses (these leak for unknown codes)',
  'uv_strerror uv_err_name');
because(NA, 'accessors for bindings that cannot read struct fields (FFI); uvkit compiles against uv.h and reads them',
  `uv_handle_get_data uv_handle_set_data uv_handle_get_loop uv_handle_get_type uv_handle_type_name
   uv_req_get_data uv_req_set_data uv_req_get_type uv_req_type_name uv_loop_get_data uv_loop_set_data
   uv_fs_get_type uv_fs_get_result uv_fs_get_system_error uv_fs_get_ptr uv_fs_get_path uv_fs_get_statbuf
   uv_stream_get_write_queue_size uv_udp_get_send_queue_size uv_udp_get_send_queue_count uv_process_get_pid`);
because(NA, 'Windows only (a no-op or absent elsewhere); uvkit runs on Linux',
  'uv_tty_set_vterm_state uv_tty_get_vterm_state uv_get_osfhandle uv_open_osfhandle uv_poll_init_socket');
because(NA, 'the path forms without a length; uvkit uses uv_pipe_bind2 / uv_pipe_connect2 (abstract names, exact lengths)',
  'uv_pipe_bind uv_pipe_connect');
because(NA, 'its mode bits differ between libuv versions (1.51 sets them exactly): Pipe.chmod() does the chmod itself',
  'uv_pipe_chmod');
because(NA, 'timers run in JavaScript off one libuv timer per loop (lib/timer.ts): Timer.again(), repeat and dueIn are there',
  'uv_timer_again uv_timer_set_repeat uv_timer_get_repeat uv_timer_get_due_in');
because(NA, "queueWork runs JavaScript on worker_threads (lib/work.ts): libuv's pool threads cannot run JavaScript",
  'uv_queue_work');
because(NA, 'the _ex form (with the address family) is used: uv_tcp_init_ex', 'uv_tcp_init');
because(NA, 'done by hand with the same effect: TCP.closeReset() sets SO_LINGER 0 and closes through the handle base',
  'uv_tcp_close_reset');
because(NA, 'Node calls it at start-up, before any addon', 'uv_setup_args');
because(NA, "Node has it (os.homedir(), os.tmpdir(), os.userInfo(), process.pid/ppid, os.get/setPriority(), process.env)",
  `uv_os_homedir uv_os_tmpdir uv_os_get_passwd uv_os_get_passwd2 uv_os_free_passwd uv_os_get_group uv_os_free_group
   uv_os_getpid uv_os_getppid uv_os_getpriority uv_os_setpriority uv_os_environ uv_os_free_environ
   uv_os_getenv uv_os_setenv uv_os_unsetenv`);
because(NA, 'address text is converted inside the native layer (native/sockaddr.h, uv_ip4_name/uv_ip6_name); Node has net.isIP',
  'uv_ip_name uv_inet_ntop uv_inet_pton');
because(NA, 'Node has crypto.randomFill()', 'uv_random');
because(NA, 'Node has process.dlopen(); a script cannot call the symbols it would find', 'uv_dlopen uv_dlclose uv_dlsym uv_dlerror');
because(NA, 'threads and their locks are worker_threads and Atomics in Node; uvkit starts no libuv thread',
  `uv_mutex_init uv_mutex_init_recursive uv_mutex_destroy uv_mutex_lock uv_mutex_trylock uv_mutex_unlock
   uv_rwlock_init uv_rwlock_destroy uv_rwlock_rdlock uv_rwlock_tryrdlock uv_rwlock_rdunlock uv_rwlock_wrlock
   uv_rwlock_trywrlock uv_rwlock_wrunlock uv_sem_init uv_sem_destroy uv_sem_post uv_sem_wait uv_sem_trywait
   uv_cond_init uv_cond_destroy uv_cond_signal uv_cond_broadcast uv_cond_wait uv_cond_timedwait
   uv_barrier_init uv_barrier_destroy uv_barrier_wait uv_once uv_key_create uv_key_delete uv_key_get uv_key_set
   uv_thread_create uv_thread_create_ex uv_thread_detach uv_thread_join uv_thread_equal`);
because(NA, "string encoding is V8's (strings cross as UTF-8)",
  'uv_utf16_length_as_wtf8 uv_utf16_to_wtf8 uv_wtf8_length_as_utf16 uv_wtf8_to_utf16');

because(TODO, 'not yet: UDP.open() with flags (libuv 1.52)', 'uv_udp_open_ex');

// ---------------------------------------------------------------------------

function findHeader() {
  const tried = [];
  const dirs = [];
  if (process.env.npm_config_nodedir) dirs.push(process.env.npm_config_nodedir);
  dirs.push(path.resolve(path.dirname(process.execPath), '..'));
  dirs.push(path.join(os.homedir(), '.cache', 'node-gyp', process.versions.node));
  for (const dir of dirs) {
    const file = path.join(dir, 'include', 'node', 'uv.h');
    tried.push(file);
    if (fs.existsSync(file)) return file;
  }
  console.error(`coverage: no uv.h found (tried ${tried.join(', ')}); set npm_config_nodedir`);
  process.exit(2);
}

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, '');
}

function headerVersion(file) {
  const v = path.join(path.dirname(file), 'uv', 'version.h');
  if (!fs.existsSync(v)) return '?';
  const text = fs.readFileSync(v, 'utf8');
  const get = (k) => (new RegExp(`#define UV_VERSION_${k}\\s+(\\d+)`).exec(text) || [])[1];
  return `${get('MAJOR')}.${get('MINOR')}.${get('PATCH')}`;
}

function main() {
  const write = !process.argv.includes('--no-write');
  const header = findHeader();
  const text = stripComments(fs.readFileSync(header, 'utf8'));
  const names = [...new Set([...text.matchAll(/UV_EXTERN\s+[^;{}()]*?\b(uv_\w+)\s*\(/g)].map((m) => m[1]))].sort();

  // The native sources without comments; features.cc's dlsym strings count
  // when the member that receives the function is used elsewhere.
  const nativeDir = path.join(root, 'native');
  const sources = fs.readdirSync(nativeDir).filter((f) => /\.(cc|h)$/.test(f)).sort()
    .map((f) => {
      const text = stripComments(fs.readFileSync(path.join(nativeDir, f), 'utf8'));
      return { file: `native/${f}`, text, code: text.replace(/"(?:[^"\\\n]|\\.)*"/g, '""') };
    });
  const featuresText = sources.find((s) => s.file === 'native/features.cc').text;
  const lookedUp = {};
  for (const m of featuresText.matchAll(/Find\(&f\.(\w+),\s*"(uv_\w+)"\)/g)) lookedUp[m[2]] = m[1];

  const rows = [];
  for (const name of names) {
    const re = new RegExp(`\\b${name}\\b`);
    const files = sources.filter((s) => re.test(s.code)).map((s) => s.file);
    let via = null;
    if (files.length > 0) {
      via = files.join(', ');
    } else if (lookedUp[name]) {
      const member = new RegExp(`\\b${lookedUp[name]}\\b`);
      const users = sources.filter((s) => s.file !== 'native/features.cc' && s.file !== 'native/features.h' &&
        member.test(s.code)).map((s) => s.file);
      if (users.length > 0) via = `dlsym (features.${lookedUp[name]}): ${users.join(', ')}`;
    }
    const reason = reasons[name];
    if (via !== null) rows.push({ name, status: 'reached', note: via });
    else if (reason && reason.kind === NA) rows.push({ name, status: 'n/a', note: reason.why });
    else if (reason) rows.push({ name, status: 'missing', note: reason.why });
    else rows.push({ name, status: 'UNEXPLAINED', note: 'neither reached nor given a reason in scripts/coverage.js' });
  }

  const count = (s) => rows.filter((r) => r.status === s).length;
  const reached = count('reached');
  const applicable = rows.length - count('n/a');
  const pct = ((100 * reached) / applicable).toFixed(1);
  const uvVersion = headerVersion(header);
  const summary = `libuv ${uvVersion} (Node ${process.versions.node}): ${rows.length} public functions, ` +
    `${rows.length - applicable} not applicable, ${applicable} applicable, ${reached} reached: ${pct}%` +
    (count('missing') ? `; missing: ${count('missing')}` : '') +
    (count('UNEXPLAINED') ? `; UNEXPLAINED: ${count('UNEXPLAINED')}` : '');

  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) console.log(`${r.name.padEnd(width)}  ${r.status.padEnd(11)}  ${r.note}`);
  console.log();
  console.log(summary);

  if (write) {
    const md = [
      '# libuv bind coverage',
      '',
      'Written by `npm run coverage` (scripts/coverage.js), which reads the uv.h of',
      'the Node that runs it and looks for each public `uv_*` function in',
      "`native/` (code, not comments; a function found at run time through",
      '`native/features.cc` counts when the native layer uses it). A function',
      'not reached is either not applicable to a script binding of separate',
      'loops (left out of the percentage) or missing, each with its reason.',
      '',
      `**${summary}.**`,
      '',
      '| function | status | through / why |',
      '|---|---|---|',
      ...rows.map((r) => `| \`${r.name}\` | ${r.status} | ${r.note.replace(/\|/g, '\\|')} |`),
      '',
    ].join('\n');
    fs.writeFileSync(path.join(root, 'docs', 'COVERAGE.md'), md);
  }
  if (uvVersion !== '?' && uvVersion !== process.versions.uv) {
    console.error(`coverage: note: ${header} is libuv ${uvVersion}, the running Node has ${process.versions.uv}`);
  }
  if (count('UNEXPLAINED') > 0) {
    console.error(`coverage: ${count('UNEXPLAINED')} applicable function(s) neither reached nor explained: ` +
      rows.filter((r) => r.status === 'UNEXPLAINED').map((r) => r.name).join(' '));
    process.exit(1);
  }
}

main();
