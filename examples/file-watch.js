// Watches a file or directory two ways and prints what changes:
// - FSEvent (inotify): an event as soon as an entry is changed or renamed
//   (created, deleted and moved entries are "rename" events);
// - FSPoll: stat() of the path itself every interval, reporting size and
//   mtime changes, and the path disappearing or coming back.
// Ctrl-C (SIGINT) stops watching, exit 0.
//
//   node examples/file-watch.js [path=.] [intervalMs=500]
'use strict';
const uv = require('..');

const path = process.argv[2] ?? '.';
const interval = Number(process.argv[3] ?? 500);
const loop = uv.Loop.default();
const events = new uv.FSEvent(loop);
const poll = new uv.FSPoll(loop);
const sigint = new uv.Signal(loop);

function closeAll() {
  events.close();
  poll.close();
  sigint.close();
}

try {
  events.start(path, 0, (err, filename, flags) => {
    if (err) return console.log(`event error: ${err.message}`);
    const kinds = [flags & uv.UV_RENAME && 'rename', flags & uv.UV_CHANGE && 'change'].filter(Boolean);
    console.log(`event: ${kinds.join('+')} ${filename}`);
  });
} catch (err) {
  console.error(err.message); // e.g. ENOENT: no such file or directory, uv_fs_event_start '/x'
  closeAll();
  loop.run(); // let the closes finish
  process.exit(1);
}

let missing = false;
poll.start(path, interval, (err, prev, curr) => {
  if (err) {
    // Reported once, when it starts: e.g. ENOENT, the path was deleted.
    missing = true;
    return console.log(`stat: ${err.code}`);
  }
  if (missing) {
    missing = false;
    return console.log(`stat: ${path} is there again, size ${curr.size}`);
  }
  const changes = [];
  if (curr.size !== prev.size) changes.push(`size ${prev.size} -> ${curr.size}`);
  if (curr.mtimeMs !== prev.mtimeMs) changes.push('mtime changed');
  if (curr.ino !== prev.ino) changes.push('a different file now');
  console.log(`stat: ${changes.join(', ') || 'metadata changed'}`);
});

sigint.start(() => {
  console.log('SIGINT: stopping');
  closeAll();
}, 'SIGINT');

console.log(`watching ${path} (stat every ${interval} ms)`);
loop.run(); // returns once every handle is closed
console.log('bye');
