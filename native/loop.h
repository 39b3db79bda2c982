// The Loop wrap: a private uv_loop_t and the single path by which libuv
// callbacks enter JavaScript (the core, loop.cc), and the parts it owns,
// each in a file of its own with its own Close():
//   TimerDriver      timer.cc        JavaScript timers' uv timer, registry, clock
//   WorkMailbox      work.cc         queueWork results from the pool's threads
//   ClosePhase       close_phase.cc  close callbacks of handles with no uv handle
//   PollBatch        poll_batch.cc   a poll phase's pooled reads and held writes
//   Attachment       attachment.cc   attached mode: driven from Node's loop
//   TerminationWatch termination.cc  a worker's terminate() while run() blocks
// LoopWrap::CloseParts closes them all, for close() and for teardown alike.
#pragma once

#include <algorithm>
#include <vector>

#include "loop_rings.h"
#include "uvkit.h"

// The parts' internal uv handles have `data` null: loop.handles skips them,
// and loop.close() does not count them as open handles.

class TimerDriver {
 public:
  explicit TimerDriver(LoopWrap* loop) : loop_(loop) {}
  // Loop methods for lib/timer.ts: timerClock(), timerTracker() -> track(timer),
  // timerArm(due, ref).
  Napi::Value Clock(const Napi::CallbackInfo& info);
  Napi::Value Tracker(const Napi::CallbackInfo& info);
  Napi::Value Arm(const Napi::CallbackInfo& info);
  // The loop time as lib/ reads it (see LoopWrap::SyncClock).
  void SyncClock(uint64_t now) {
    if (clock_ != nullptr) *clock_ = static_cast<double>(now);
  }
  bool HasOpenTimers();
  void List(Napi::Array list, uint32_t* n);  // appends the open timers
  void Close();                              // forgets every timer

 private:
  struct Driver;
  static void OnDriver(uv_timer_t* h);
  static napi_value OnTrack(napi_env env, napi_callback_info info);
  void Track(napi_value timer);
  napi_value Open(napi_ref ref, napi_value closedKey);

  LoopWrap* loop_;
  Driver* driver_ = nullptr;  // made on first use
  bool pinned_ = false;       // holds the lib/ Loop while armed
  std::vector<napi_ref> timers_;  // weak, one per JS timer not known to be collected
  size_t sweepAt_ = 1024;
  Napi::Reference<Napi::Value> clockArray_;
  double* clock_ = nullptr;
};

class WorkMailbox {
 public:
  explicit WorkMailbox(LoopWrap* loop) : loop_(loop) {}
  // Loop methods for lib/work.ts: workMailbox() -> id, workRef(+1 | -1).
  Napi::Value Open(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  int pending() const { return pending_; }  // jobs not yet done
  void Close();

 private:
  struct Async;
  static void OnMail(uv_async_t* h);

  LoopWrap* loop_;
  Async* async_ = nullptr;
  uint64_t id_ = 0;
  int pending_ = 0;
};

class ClosePhase {
 public:
  explicit ClosePhase(LoopWrap* loop) : loop_(loop) {}
  // Loop method closePhase(owner): onClose runs with `this` = owner in the
  // loop's close phase, where close callbacks of uv handles run (in the same
  // order: one internal uv handle is closed per call).
  Napi::Value Add(const Napi::CallbackInfo& info);
  void List(Napi::Array list, uint32_t* n);  // appends the owners waiting
  void Close() {}  // nothing: what waits is closing, and the loop's last turn runs it

 private:
  struct Entry;
  static void OnClosed(uv_handle_t* h);

  LoopWrap* loop_;
  Entry* first_ = nullptr;  // waiting, in a doubly linked list
};

class StreamWrap;
namespace datapath {
struct Bufs;
}

// The reads and writes of one poll phase, as uvloop handles them. Pooled
// stream reads are queued as (stream id, offset, length) and reach
// JavaScript in one call (lib/stream.ts onReadBatch): in the check phase
// right after the poll phase, or before anything else enters JavaScript
// (LoopWrap::CallJS), so callbacks keep libuv's order. The writes that read
// callbacks made (held by lib/stream.ts) come back in a table shared with
// JavaScript, or one by one through StreamWrap::WriteHeld, and are sent
// together in that check phase: a server that answers many sockets in one
// iteration reads them all before it wakes any peer. Each keeps a copy of
// its bytes (JavaScript may run before they are sent) and pins its stream;
// a stream sends its own first before anything else it does
// (StreamWrap::SendBatchedFirst).
class PollBatch {
 public:
  explicit PollBatch(LoopWrap* loop) : loop_(loop) {}
  // A pooled read of `stream` (no handle scope needed); false: deliver it
  // at once (attached, or a batch is being delivered).
  bool AddRead(StreamWrap* stream, readpool::Block* pool, uint32_t offset, uint32_t len);
  // An entry that delivers the reads lib/ keeps for `stream` (readRedeliver()).
  void AddRedeliver(StreamWrap* stream);
  // Whether reads of the poll phase wait (not only REDELIVER entries, which
  // JavaScript queues and the check phase delivers): CallJS delivers them
  // before anything else, as libuv would have.
  bool HasPollReads() const { return hasPollReads_ && !delivering_; }
  void DeliverReads();
  // readBatchHandOver(n): sends the first n writes of the shared table now.
  Napi::Value HandOverJS(const Napi::CallbackInfo& info);
  void Add(StreamWrap* stream, const datapath::Bufs& bufs);
  // Sends the writes of `stream` (null: all, and the holders'), in order.
  void Send(StreamWrap* stream);
  // A handle that holds sends of its own until the check phase (a UDP's
  // held datagrams go out in one system call): pinned until then, when its
  // SendHeld() runs.
  void AddHolder(HandleBase* h);
  void Close();

  // Capacities of the arrays shared with lib/stream.ts (its MAX_TABLED),
  // and the mark of a held write's offset into the batch's pool, not out.
  static constexpr uint32_t kMaxReads = 256;
  static constexpr uint32_t kOutSize = 256 * 1024;
  static constexpr uint32_t kInPool = 0x80000000;

 private:
  struct Check;
  struct Entry {
    StreamWrap* stream;  // null once sent
    size_t offset, len;
  };
  static void OnCheck(uv_check_t* h);
  void StartCheck();
  void PushRead(uint32_t id, uint32_t offset, uint32_t len);
  bool MakeShared();
  void HandOver(uint32_t n);
  void DropPool();

  LoopWrap* loop_;
  Check* check_ = nullptr;  // made on first use
  std::vector<Entry> entries_;
  std::vector<char> bytes_;
  std::vector<HandleBase*> holders_;
  // Reads: three words each; the pool they are in, held while they wait.
  std::vector<uint32_t> reads_;
  readpool::Block* readPool_ = nullptr;
  bool hasPollReads_ = false;
  bool delivering_ = false;
  // Made once: entries (reads in), out and held (the table of writes).
  Napi::Reference<Napi::Value> entriesArray_, outArray_, heldArray_;
  uint32_t* entriesData_ = nullptr;
  char* outData_ = nullptr;
  uint32_t* heldData_ = nullptr;
};

class Attachment;
class TerminationWatch;

class LoopWrap : public Napi::ObjectWrap<LoopWrap> {
 public:
  explicit LoopWrap(const Napi::CallbackInfo& info);
  ~LoopWrap() override;

  uv_loop_t* uv() { return loop_; }
  napi_env env() const { return env_; }
  PollBatch& pollBatch() { return pollBatch_; }
  AddonData* addon() const { return addon_; }
  bool attached() const { return attachment_ != nullptr; }
  // True if usable, else throws ERR_LOOP_CLOSED.
  bool CheckUsable(Napi::Env env);
  // False once JavaScript must not be called any more (closed, tearing
  // down, or the thread is ending).
  bool CanCallJS() const { return !closed_ && !tearingDown_ && !jsGone_; }
  // The async context for callbacks of handles made before attach().
  napi_async_context asyncContext() const;
  // The lib/ Loop (null once collected), and a counted strong hold on it.
  napi_value owner() const { return owner_.Value(); }
  void HoldOwner() { owner_.Ref(); }
  void ReleaseOwner() { owner_.Unref(); }

  // Calls fn with `this` = recv. An exception goes to the loop's excepthook,
  // or stops the loop and is rethrown by run() (blocking mode), or becomes
  // an uncaught exception (attached mode). Returns false if fn threw or
  // JavaScript cannot run any more; `result`, if given, gets fn's result.
  bool CallJS(napi_value fn, napi_value recv, size_t argc, const napi_value* argv,
              napi_async_context ctx, napi_value* result = nullptr);
  // A handle changed state: an attached loop re-arms its Node-side watchers.
  void Touch() {
    if (attachment_ != nullptr && !inAttachedRun_) SyncAttached();
  }
  // One turn without blocking, from the attachment's watchers on Node's loop.
  void RunAttached();
  // lib/ reads the loop time from the timer driver's clock: it is written
  // whenever the time may have moved before JavaScript runs (before every
  // callback, after uv_run and uv_update_time).
  void SyncClock() { timers_.SyncClock(loop_->time); }
  // Closes every handle without calling JavaScript and closes the loop; used
  // on garbage collection and when the environment (thread) ends.
  void Teardown();
  bool tearingDown() const { return tearingDown_; }
  // UVKIT_DEBUG_RUN (misc.cc): an internal timer that reports while run() blocks.
  void DebugArm(const Napi::CallbackInfo& info);
  void DebugDisarm(const Napi::CallbackInfo& info);
  int workPending() const { return work_.pending(); }  // queueWork jobs not yet done

 private:
  friend void InitLoop(Napi::Env env, Napi::Object exports);

  // uv_loop_configure with the options of `new Loop(opts)`: a libuv status.
  int Configure(int blockSignal, bool metricsIdleTime, bool ioUringSqpoll);
  // One empty turn, so that libuv's own watchers are in epoll (see loop.cc).
  void Settle();
  int RunUV(uv_run_mode mode);
  Napi::Value Run(const Napi::CallbackInfo& info);
  void Stop(const Napi::CallbackInfo& info);
  Napi::Value Now(const Napi::CallbackInfo& info);
  void UpdateTime(const Napi::CallbackInfo& info);
  Napi::Value Fileno(const Napi::CallbackInfo& info);
  Napi::Value GetTimeout(const Napi::CallbackInfo& info);
  Napi::Value Alive(const Napi::CallbackInfo& info);
  Napi::Value Running(const Napi::CallbackInfo& info);
  Napi::Value Handles(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  void Attach(const Napi::CallbackInfo& info);
  void Detach(const Napi::CallbackInfo& info);
  // A Loop method served by a part: (this->*part.*method)(info) on a usable loop.
  template <auto part, auto method>
  Napi::Value PartMethod(const Napi::CallbackInfo& info) {
    if (!CheckUsable(info.Env())) return info.Env().Undefined();
    return ((this->*part).*method)(info);
  }
  void CloseParts();
  void SyncAttached();
  void HandleException(napi_value err);
  struct DebugWatch;  // misc.cc
  static void OnDebugWatch(uv_timer_t* h);
  void CloseDebugWatch();

  napi_env env_;
  AddonData* addon_;
  uv_loop_t* loop_;  // heap: leaked on purpose if teardown finds a request stuck for good
  LoopRings rings_;  // its io_uring fds, closed if it is left so
  Napi::ObjectReference owner_;    // the lib/ Loop, weak
  // The error run() rethrows, as element 0 of an array: a thrown value may
  // be a primitive (a string, undefined, false), which N-API 8 cannot hold
  // in a reference of its own.
  Napi::ObjectReference pendingError_;
  bool running_ = false;
  bool closed_ = false;
  bool tearingDown_ = false;
  bool inAttachedRun_ = false;
  bool jsGone_ = false;  // a call found JavaScript unable to run (thread ending)
  // The parts.
  TimerDriver timers_{this};
  WorkMailbox work_{this};
  ClosePhase closePhase_{this};
  PollBatch pollBatch_{this};
  Attachment* attachment_ = nullptr;  // while attached
  TerminationWatch* terminationWatch_ = nullptr;  // a worker's loop, from its first run()
  DebugWatch* debugWatch_ = nullptr;
};

// attachment.cc
class Attachment {
 public:
  // Node's loop starts watching `loop` (its backend fd and timeout).
  static Attachment* Start(LoopWrap* loop);
  // Re-arms the watchers for the loop's next timeout; they keep Node's loop
  // alive exactly while this loop is alive.
  void Sync();
  napi_async_context context() const { return context_.get(); }
  // Closes the watchers; the attachment frees itself once they have closed.
  void Close();

 private:
  Attachment() = default;
  static void OnClosed(uv_handle_t* h);

  uv_poll_t poll_;    // readable when the loop's backend (epoll) fd has events
  uv_timer_t timer_;  // follows the loop's backend timeout
  uv_idle_t idle_;    // runs the loop again next iteration when its timeout is 0
  LoopWrap* loop_;
  AsyncContext context_;
  int open_ = 3;
};

// termination.cc
class TerminationWatch {
 public:
  // Null on the main thread, or if the watch cannot be made.
  static TerminationWatch* Start(LoopWrap* loop);
  void Close();  // frees itself once closed

 private:
  TerminationWatch() = default;
  uv_poll_t poll_;
  int epfd_ = -1;
};
