// CUPTI activity + callback tracer (see cupti_tracer.h).
#include "runtime/cupti_tracer.h"

#include <cupti.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace deepsim::runtime {
namespace {

[[noreturn]] void throw_cupti(const char* what, CUptiResult r, const char* file, int line) {
  const char* text = nullptr;
  cuptiGetResultString(r, &text);
  throw std::runtime_error(std::string(file) + ":" + std::to_string(line) + ": " + what +
                           " failed: " + (text != nullptr ? text : "unknown CUPTI error"));
}

#define DEEPSIM_CUPTI_CHECK(call)                                                     \
  do {                                                                                \
    const CUptiResult deepsim_cupti_ = (call);                                        \
    if (deepsim_cupti_ != CUPTI_SUCCESS) throw_cupti(#call, deepsim_cupti_, __FILE__, __LINE__); \
  } while (false)

constexpr std::size_t kBufferBytes = std::size_t{8} << 20;
constexpr std::size_t kBufferAlign = 8;  // CUPTI requires 8-byte aligned activity buffers

std::atomic<CuptiTracer*> g_active{nullptr};  // the buffer callbacks have no user pointer (see header)

void CUPTIAPI buffer_requested(std::uint8_t** buffer, std::size_t* size, std::size_t* max_records) {
  // CUPTI owns the buffer until buffer_completed hands it back, where it is freed.
  *buffer = static_cast<std::uint8_t*>(std::aligned_alloc(kBufferAlign, kBufferBytes));
  *size = *buffer != nullptr ? kBufferBytes : 0;
  *max_records = 0;
}

void CUPTIAPI buffer_completed(CUcontext /*ctx*/, std::uint32_t /*stream*/, std::uint8_t* buffer, std::size_t /*size*/,
                               std::size_t valid_size) {
  if (CuptiTracer* t = g_active.load()) t->on_buffer(buffer, valid_size);
  std::free(buffer);
}

bool is_launch(CUpti_CallbackDomain domain, CUpti_CallbackId id) {
  if (domain == CUPTI_CB_DOMAIN_RUNTIME_API)
    return id == CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000 || id == CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernelExC_v11060;
  if (domain == CUPTI_CB_DOMAIN_DRIVER_API)
    return id == CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel || id == CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx;
  return false;
}

void CUPTIAPI on_api(void* userdata, CUpti_CallbackDomain domain, CUpti_CallbackId id, const void* data) {
  if (!is_launch(domain, id)) return;
  const auto* info = static_cast<const CUpti_CallbackData*>(data);
  if (info->callbackSite != CUPTI_API_ENTER) return;
  static_cast<CuptiTracer*>(userdata)->on_launch(info->correlationId);
}

}  // namespace

std::uint64_t cupti_timestamp_ns() {
  std::uint64_t t = 0;
  DEEPSIM_CUPTI_CHECK(cuptiGetTimestamp(&t));
  return t;
}

struct CuptiTracer::Subscriber {
  CUpti_SubscriberHandle handle{};
};

CuptiTracer::CuptiTracer(const KernelTagger& tagger) : tagger_(tagger), subscriber_(std::make_unique<Subscriber>()) {
  CuptiTracer* expected = nullptr;
  if (!g_active.compare_exchange_strong(expected, this))
    throw std::logic_error("CuptiTracer: only one tracer per process (CUPTI buffer callbacks are global)");
  DEEPSIM_CUPTI_CHECK(cuptiSubscribe(&subscriber_->handle, on_api, this));
  DEEPSIM_CUPTI_CHECK(cuptiEnableDomain(1, subscriber_->handle, CUPTI_CB_DOMAIN_RUNTIME_API));
  DEEPSIM_CUPTI_CHECK(cuptiEnableDomain(1, subscriber_->handle, CUPTI_CB_DOMAIN_DRIVER_API));
  DEEPSIM_CUPTI_CHECK(cuptiActivityRegisterCallbacks(buffer_requested, buffer_completed));
  DEEPSIM_CUPTI_CHECK(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL));
}

CuptiTracer::~CuptiTracer() {
  // No throwing from a destructor: failures here only lose records of a run that is ending.
  cuptiActivityFlushAll(1);
  cuptiActivityDisable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  cuptiUnsubscribe(subscriber_->handle);
  g_active.store(nullptr);
}

void CuptiTracer::on_launch(std::uint32_t correlation_id) {
  const KernelTag tag = tagger_.current();
  const std::lock_guard<std::mutex> lock(mutex_);
  tags_[correlation_id] = tag;
}

void CuptiTracer::on_buffer(std::uint8_t* buffer, std::size_t valid_size) {
  CUpti_Activity* record = nullptr;
  const std::lock_guard<std::mutex> lock(mutex_);
  while (cuptiActivityGetNextRecord(buffer, valid_size, &record) == CUPTI_SUCCESS) {
    if (record->kind != CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL) continue;
    const auto* k = reinterpret_cast<const CUpti_ActivityKernel10*>(record);
    const auto it = tags_.find(k->correlationId);
    if (!recording_) {
      if (it != tags_.end()) tags_.erase(it);
      continue;
    }
    KernelRecord r;
    r.name = k->name != nullptr ? k->name : "?";
    r.stream = k->streamId;
    r.start_ns = k->start;
    r.end_ns = k->end;
    r.grid = {k->gridX, k->gridY, k->gridZ};
    r.block = {k->blockX, k->blockY, k->blockZ};
    if (it != tags_.end()) {
      r.tag = it->second;
      tags_.erase(it);
    } else {
      r.tag.op = "untagged";
    }
    records_.push_back(std::move(r));
  }
}

std::vector<KernelRecord> CuptiTracer::take_records() {
  DEEPSIM_CUPTI_CHECK(cuptiActivityFlushAll(1));
  const std::lock_guard<std::mutex> lock(mutex_);
  std::vector<KernelRecord> out;
  out.swap(records_);
  return out;
}

}  // namespace deepsim::runtime
