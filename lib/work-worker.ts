// A queueWork pool thread (lib/work.ts): compiles each work function once,
// runs it, and delivers the v8-serialized result or error to the mailbox
// of the loop that queued it.
import * as v8 from 'v8';
import { parentPort } from 'worker_threads';
import { binding } from './binding';

interface Message {
  mailbox: number;
  id: number;
  source: string;
  args: unknown[];
}

const compiled = new Map<string, Function>();
// Work functions are evaluated in global scope: give them require().
(globalThis as { require?: NodeRequire }).require = require;

function serializeError(err: unknown): Buffer {
  try {
    return v8.serialize(err);
  } catch {
    return v8.serialize(new Error(String(err)));
  }
}

// If this thread ends while a job runs (the work threw at the top level,
// called process.exit(), ran out of memory, or the thread was terminated),
// the addon's teardown of this thread fails the job on its loop.
process.on('exit', (code) => binding.workExitReason(`exit code ${code}`));

parentPort!.on('message', async (m: Message) => {
  binding.workBegin(m.mailbox, m.id);
  let status = 0;
  let bytes: Buffer;
  try {
    let fn = compiled.get(m.source);
    if (fn === undefined) {
      fn = (0, eval)(`(${m.source})`) as Function;
      compiled.set(m.source, fn);
    }
    const result = await fn(...m.args);
    bytes = v8.serialize(result);
  } catch (err) {
    status = 1;
    bytes = serializeError(err);
  }
  binding.workDeliver(m.mailbox, m.id, status, bytes);
});
