// Runs a command with its stdout connected to a uvkit Pipe, streams the
// output here as it arrives, then prints how the command ended. The command
// shares this process's stdin and stderr.
//
//   node examples/spawn-pipe.js [command args...]   (default: ls -la)
'use strict';
const uv = require('..');

const args = process.argv.length > 2 ? process.argv.slice(2) : ['ls', '-la'];
const loop = uv.Loop.default();
const stdout = new uv.Pipe(loop);

let child;
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
    if (termSignal) console.log(`[${args[0]} was killed by signal ${termSignal}]`);
    else console.log(`[${args[0]} exited with status ${exitStatus}]`);
    child.close();
  });
} catch (err) {
  console.error(err.message); // e.g. "ENOENT: no such file or directory, spawn 'nosuch'"
  stdout.close();
  loop.run(); // let the close finish
  process.exit(127);
}
console.log(`[started ${args.join(' ')}, pid ${child.pid}]`);

let bytes = 0;
let chunks = 0;
stdout.startRead((err, data) => {
  if (data === null) {
    // EOF: the child (and anything it started) closed its stdout.
    if (err) console.error('read:', err.message);
    console.log(`[${bytes} bytes in ${chunks} chunk(s)]`);
    return stdout.close();
  }
  bytes += data.length;
  chunks++;
  process.stdout.write(data); // synchronous for pipes, files and terminals on Linux
});

loop.run(); // returns once the child has exited and its output has ended
