// Runs a command with its stdout connected to a uvkit Pipe and streams the
// output to this process's stdout as it arrives, then prints how the
// command ended. The command shares this process's stdin and stderr.
//
// The loop is attached to Node's event loop rather than run(): the output
// goes out through Node's process.stdout, which (on a pipe) can only drain
// while Node's loop turns. When it is full, reading from the command pauses
// until it drains, so a slow reader slows the command down instead of
// filling memory.
//
//   node examples/spawn-pipe.js [command args...]   (default: ls -la)
'use strict';
const uv = require('..');

const args = process.argv.length > 2 ? process.argv.slice(2) : ['ls', '-la'];
const loop = uv.Loop.default();
const stdout = new uv.Pipe(loop);

let child;
let ended = null; // how the child ended, once it has
try {
  child = uv.Process.spawn(loop, {
    args, // args[0] is looked up on PATH
    stdio: [
      { flags: uv.UV_INHERIT_FD, fd: 0 },
      // The child's fd 1 is a new pipe that the child writes into.
      { flags: uv.UV_CREATE_PIPE | uv.UV_WRITABLE_PIPE, stream: stdout },
      { flags: uv.UV_INHERIT_FD, fd: 2 },
    ],
  }, (exitStatus, termSignal) => {
    // The child may exit before all its output is read (reading pauses when
    // our stdout is full): say how it ended once its output has ended too.
    ended = termSignal
      ? `[${args[0]} was killed by signal ${termSignal}]`
      : `[${args[0]} exited with status ${exitStatus}]`;
    child.close();
    if (stdout.closed) console.log(ended);
  });
} catch (err) {
  console.error(err.message); // e.g. "ENOENT: no such file or directory, spawn 'nosuch'"
  stdout.close();
  process.exitCode = 127;
}
if (child) console.log(`[started ${args.join(' ')}, pid ${child.pid}]`);

let bytes = 0;
let chunks = 0;
function onData(err, data) {
  if (data === null) {
    // EOF: the child (and anything it started) closed its stdout.
    if (err) console.error('read:', err.message);
    console.log(`[${bytes} bytes in ${chunks} chunk(s)]`);
    stdout.close();
    if (ended !== null) console.log(ended);
    return;
  }
  bytes += data.length;
  chunks++;
  if (!process.stdout.write(data)) {
    stdout.stopRead();
    process.stdout.once('drain', () => stdout.startRead(onData));
  }
}
if (child) stdout.startRead(onData);

// Node now drives the loop; the process ends once the child has exited, its
// output has ended and both handles are closed.
loop.attach();
