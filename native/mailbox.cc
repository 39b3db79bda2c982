#include "mailbox.h"

#include <unordered_map>

namespace {

struct Box {
  std::mutex mu;
  uv_async_t* async;
  std::vector<MailMessage> messages;
};

std::mutex registryMu;
std::unordered_map<uint64_t, std::shared_ptr<Box>> registry;
uint64_t nextId = 1;

std::shared_ptr<Box> Find(uint64_t id) {
  std::lock_guard<std::mutex> lock(registryMu);
  auto it = registry.find(id);
  return it == registry.end() ? nullptr : it->second;
}

}  // namespace

uint64_t Mailbox::Open(uv_async_t* async) {
  auto box = std::make_shared<Box>();
  box->async = async;
  std::lock_guard<std::mutex> lock(registryMu);
  uint64_t id = nextId++;
  registry.emplace(id, std::move(box));
  return id;
}

bool Mailbox::Send(uint64_t id, MailMessage* message) {
  std::shared_ptr<Box> box = Find(id);
  if (box == nullptr) return false;
  std::lock_guard<std::mutex> lock(box->mu);
  if (box->async == nullptr) return false;
  if (message != nullptr) box->messages.push_back(std::move(*message));
  uv_async_send(box->async);
  return true;
}

void Mailbox::Close(uint64_t id) {
  std::shared_ptr<Box> box;
  {
    std::lock_guard<std::mutex> lock(registryMu);
    auto it = registry.find(id);
    if (it == registry.end()) return;
    box = it->second;
    registry.erase(it);
  }
  // A sender that found the box before it left the registry finishes its
  // uv_async_send under this lock before the handle can be closed.
  std::lock_guard<std::mutex> lock(box->mu);
  box->async = nullptr;
  box->messages.clear();
}

std::vector<MailMessage> Mailbox::Take(uint64_t id) {
  std::vector<MailMessage> out;
  std::shared_ptr<Box> box = Find(id);
  if (box == nullptr) return out;
  std::lock_guard<std::mutex> lock(box->mu);
  out.swap(box->messages);
  return out;
}
