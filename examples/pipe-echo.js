// Echo over stdin/stdout with uvkit Pipe handles: whatever arrives on stdin
// is written to stdout. stdin and stdout must be pipes or sockets (not a
// terminal or a file; see tty-echo.js for terminals). Ends at the end of
// stdin, or on Ctrl-C (SIGINT), exiting 0; a summary goes to stderr.
//
//   echo hello | node examples/pipe-echo.js | cat
'use strict';
const uv = require('..');

// A Pipe can only stream what epoll can watch: check what fds 0 and 1 are.
for (const fd of [0, 1]) {
  const type = uv.util.guessHandleType(fd);
  if (type !== uv.UV_NAMED_PIPE && type !== uv.UV_TCP) {
    console.error(`pipe-echo: fd ${fd} is not a pipe or a socket`);
    process.exit(2);
  }
}

const loop = uv.Loop.default();
const stdin = new uv.Pipe(loop);
stdin.open(0); // the handles own fds 0 and 1 from now on, and close them
const stdout = new uv.Pipe(loop);
stdout.open(1);
const sigint = new uv.Signal(loop);
let bytes = 0;

function done(why) {
  stdin.close();
  stdout.close();
  sigint.close();
  process.stderr.write(`pipe-echo: ${why}, ${bytes} bytes echoed\n`);
}

stdin.startRead((err, data) => {
  if (data === null) {
    if (err) return done(`stdin: ${err.message}`);
    // Let the echoes still queued reach stdout before closing it: libuv
    // finishes pending writes before a shutdown (shutdown() itself then
    // fails with ENOTSOCK on a plain pipe, which does not matter here).
    stdin.stopRead();
    return stdout.shutdown(() => done('end of input'));
  }
  bytes += data.length;
  stdout.write(data);
});

sigint.start(() => done('SIGINT'), 'SIGINT');

loop.run(); // returns once every handle is closed
