// Mailboxes: how other threads reach a loop. A process-wide registry maps
// ids (plain numbers, safe to post to any worker_thread) to a mailbox that
// holds the loop thread's uv_async_t and a queue of messages. The owner
// closes the mailbox before its async handle goes away; a send after that
// finds nothing and does nothing.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

struct MailMessage {
  double request;              // the request id lib/ gave
  int status;                  // 0 = ok, 1 = error, < 0 = a libuv error (ECANCELED)
  std::vector<uint8_t> bytes;  // a v8.serialize()d value
};

class Mailbox {
 public:
  // Registers a mailbox that wakes `async`; returns its id.
  static uint64_t Open(uv_async_t* async);
  // Wakes the mailbox's loop (after queueing `message`, if given). False if
  // the mailbox is closed or unknown.
  static bool Send(uint64_t id, MailMessage* message);
  // Unregisters and detaches the async handle; later sends are dropped.
  static void Close(uint64_t id);
  // Takes the queued messages (loop thread).
  static std::vector<MailMessage> Take(uint64_t id);
};
