// Terminal echo in raw mode: every key is shown as soon as it is pressed
// (no Enter needed, no line editing); control keys are shown as ^X. Ctrl-C
// or Ctrl-D ends it (in raw mode they are plain keys, not signals); so does
// a SIGINT sent from elsewhere (kill -INT <pid>). The terminal's mode is
// restored on the way out, exit status 0. (Should an exception end it
// instead, Node itself restores the terminal it started with at exit.)
//
//   node examples/tty-echo.js                 (in a terminal)
'use strict';
const uv = require('..');

const loop = uv.Loop.default();
const input = new uv.TTY(loop, 0, true);
const output = new uv.TTY(loop, 1, false);
const sigint = new uv.Signal(loop);

input.setMode(uv.UV_TTY_MODE_RAW);
const { width, height } = output.getWinsize();
// Raw mode keeps output processing: '\n' still goes out as '\r\n'.
output.write(`tty-echo (pid ${process.pid}) on a ${width}x${height} terminal: type, Ctrl-C or Ctrl-D ends\n`);

let reason = '';
function end(why) {
  reason = why;
  // Restore the mode saved by the first setMode() while its TTY is still
  // open: libuv restores it through that TTY's fd, which close() closes.
  uv.TTY.resetMode();
  input.close();
  output.close();
  sigint.close();
}

input.startRead((err, data) => {
  if (data === null) return end(err ? err.message : 'end of input');
  const keys = data.toString();
  if (keys.includes('\x03')) return end('Ctrl-C');
  if (keys.includes('\x04')) return end('Ctrl-D');
  // Enter sends '\r': show a new line. Other control keys as ^X (Ctrl-A is ^A).
  const caret = (c) => '^' + String.fromCharCode(c.charCodeAt(0) ^ 64);
  output.write(keys.replace(/\r/g, '\n').replace(/[\x00-\x09\x0b-\x1f\x7f]/g, caret));
});

sigint.start(() => end('SIGINT'), 'SIGINT');

loop.run(); // returns once every handle is closed
console.log(`\n${reason}: terminal mode restored`);
