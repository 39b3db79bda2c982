// queueWork: a pool of worker_threads per thread that queues work (size
// UV_THREADPOOL_SIZE, default 4). Arguments go to a worker by postMessage;
// results come back v8-serialized through the queuing loop's mailbox
// (native/work.cc), so `done` runs on that loop even while it is blocked in
// run(). The loop thread hands the next queued job to a worker when one
// finishes, which also works while Node's own loop is blocked.
import * as path from 'path';
import * as v8 from 'v8';
import { inspect } from 'util';
import { Worker } from 'worker_threads';
import { binding } from './binding';
import { UVError } from './errors';
import { inspectAs } from './inspect';
import type { Loop } from './loop';
import { checkArray, checkFunction, checkOptionalFunction } from './validate';

type Done = (err: Error | null, result: any) => void;

interface Job {
  id: number;
  loop: Loop;
  mailbox: number;
  source: string;
  args: unknown[];
  done: Done | null;
  worker: PoolWorker | null; // null while queued
  error: Error | null; // a failure found on this thread (status kLocalError)
}

// Statuses of a finished job besides 0 (result), 1 (thrown by work) and
// libuv errors (ECANCELED): kLocalError, the error is job.error (made on
// this thread, e.g. the DataCloneError of an argument); kThreadDied, the
// pool thread running the job ended first (native/work.cc sends it from
// that thread's teardown, so it arrives while this loop is blocked in run()).
const kLocalError = 2;
const kThreadDied = 3;

interface PoolWorker {
  thread: Worker;
  job: Job | null;
}

const poolSize = Math.min(1024, Math.max(1, Number(process.env.UV_THREADPOOL_SIZE) || 4));
// The compiled worker script, from lib/ (tests) or dist/ alike.
const workerScript = path.join(__dirname, '..', 'dist', 'work-worker.js');
const workers: PoolWorker[] = [];
const queue: Job[] = [];
const jobs = new Map<number, Job>();
let nextId = 1;

/** A queued or running piece of work. */
export class WorkRequest {
  /** @internal */
  _job: Job;

  /** @internal */
  constructor(job: Job) {
    this._job = job;
  }

  [inspect.custom](depth: number, options: object, fn?: Function): string {
    const job = this._job;
    const state = !jobs.has(job.id) ? 'done' : job.worker === null ? 'queued' : 'running';
    return inspectAs('WorkRequest', { state }, depth, options, fn);
  }

  /**
   * Cancels the work if no worker has started it: `done` then gets a
   * UVError ECANCELED on the loop. Returns false once it runs or ran.
   */
  cancel(): boolean {
    const job = this._job;
    const i = queue.indexOf(job);
    if (i < 0) return false;
    queue.splice(i, 1);
    binding.workDeliver(job.mailbox, job.id, binding.errno.UV_ECANCELED, Buffer.alloc(0));
    return true;
  }
}

function dropWorker(w: PoolWorker): void {
  const i = workers.indexOf(w);
  if (i >= 0) workers.splice(i, 1);
}

function idleWorker(): PoolWorker | null {
  for (const w of [...workers]) {
    // threadId is -1 once the thread has stopped, maybe before 'exit' is seen.
    if (w.thread.threadId === -1) dropWorker(w);
    else if (w.job === null) return w;
  }
  if (workers.length >= poolSize) return null;
  const thread = new Worker(workerScript);
  thread.unref(); // the pool never keeps the process alive by itself
  const w: PoolWorker = { thread, job: null };
  thread.on('error', () => {}); // a job's own errors come back through the mailbox
  thread.on('exit', () => {
    dropWorker(w);
    // Normally the dying thread has already failed its job (kThreadDied);
    // this covers a job posted to it as it went away.
    const job = w.job;
    if (job !== null && jobs.has(job.id)) {
      job.error = threadDiedError();
      binding.workDeliver(job.mailbox, job.id, kLocalError, Buffer.alloc(0));
    }
    dispatch();
  });
  workers.push(w);
  return w;
}

function dispatch(): void {
  while (queue.length > 0) {
    const w = idleWorker();
    if (w === null) return;
    const job = queue.shift()!;
    try {
      w.thread.postMessage({ mailbox: job.mailbox, id: job.id, source: job.source, args: job.args });
      w.job = job;
      job.worker = w;
    } catch (err) {
      // Arguments that cannot be cloned: the job fails on its loop with that
      // very error (a DataCloneError), kept here: it does not serialize.
      job.error = err instanceof Error ? err : new Error(String(err));
      binding.workDeliver(job.mailbox, job.id, kLocalError, Buffer.alloc(0));
    }
  }
}

export function queueWork(loop: Loop, work: Function, args: unknown[], done?: Done): WorkRequest {
  const n = loop._native;
  checkFunction(work, 'work');
  checkArray(args, 'args');
  checkOptionalFunction(done, 'done');
  const job: Job = {
    id: nextId++, loop, mailbox: n.workMailbox(), source: work.toString(), args,
    done: done ?? null, worker: null, error: null,
  };
  jobs.set(job.id, job);
  n.workRef(1);
  queue.push(job);
  dispatch();
  return new WorkRequest(job);
}

// With `this` the loop: a job finished (status 0), failed (1) or was
// cancelled (a libuv error code).
function onWorkDone(this: Loop, id: number, status: number, bytes: Buffer): void {
  const job = jobs.get(id);
  if (job === undefined) return;
  jobs.delete(id);
  this._native.workRef(-1);
  if (job.worker !== null) {
    if (job.worker.job === job) job.worker.job = null;
    if (status === kThreadDied) {
      // Replace the dead thread (its 'exit' event may not be seen while this
      // thread is blocked in run()).
      dropWorker(job.worker);
      void job.worker.thread.terminate();
    }
  }
  dispatch();
  let err: Error | null = null;
  let result: unknown;
  if (status === kLocalError) {
    err = job.error;
  } else if (status === kThreadDied) {
    const reason = bytes.length > 0 ? ` (${bytes.toString('utf8')})` : '';
    err = threadDiedError(reason);
  } else if (status === 0) {
    result = v8.deserialize(bytes);
  } else if (status === 1) {
    const thrown = v8.deserialize(bytes);
    err = thrown instanceof Error ? thrown : Object.assign(new Error(String(thrown)), { value: thrown });
  } else {
    err = new UVError(status, 'queueWork');
  }
  if (job.done !== null) job.done.call(null, err, result);
}

function threadDiedError(reason = ''): Error {
  const err = new Error(
    `queueWork: the pool thread running this job ended before the job finished${reason}; ` +
      'the work threw at the top level, called process.exit() or ran out of memory',
  ) as Error & { code: string };
  err.code = 'ERR_WORKER_DIED';
  return err;
}

binding.setCallbacks({ onWorkDone });
