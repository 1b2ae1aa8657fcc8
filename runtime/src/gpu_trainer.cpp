// GPU training loop (see gpu_trainer.h).
#include "runtime/gpu_trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "kernels/attention.h"
#include "kernels/device.h"
#include "kernels/rope.h"
#include "kernels/router.h"
#include "runtime/config_json.h"
#include "runtime/cupti_tracer.h"
#include "runtime/pipeline_schedule.h"
#include "runtime/stage_weights.h"
#include "runtime/stream_copy.h"
#include "runtime/token_source.h"

namespace deepsim::runtime {
namespace {

struct StreamDeleter {
  void operator()(cudaStream_t s) const noexcept { cudaStreamDestroy(s); }
};
struct EventDeleter {
  void operator()(cudaEvent_t e) const noexcept { cudaEventDestroy(e); }
};
using Stream = std::unique_ptr<std::remove_pointer_t<cudaStream_t>, StreamDeleter>;
using Event = std::unique_ptr<std::remove_pointer_t<cudaEvent_t>, EventDeleter>;

Event make_event() {
  cudaEvent_t e = nullptr;
  DEEPSIM_CUDA_CHECK(cudaEventCreate(&e));
  return Event(e);
}

// Everything one rank holds for the run.
struct Rank {
  const ExecConfig& c;
  DistEnv env;
  Communicators comms;
  ZeroPlan zero;
  int ep_rank = 0;
  ParamLayout layout;
  StageWeights weights;
  DeviceArena scratch;
  KernelTagger tagger;
  GemmEngine gemm;
  Stream stream;
  kernels::DeviceBuffer<int> nan_flag{1};
  kernels::DeviceBuffer<float> rope_table;
  std::unique_ptr<GpuStage> stage;
  std::vector<MicroBatchState> slots;

  Rank(const ExecConfig& cfg, const DistEnv& e)
      : c(cfg),
        env(e),
        comms(e, cfg.parallel),
        zero{cfg.parallel.dp, comms.coords().dp_rank, cfg.parallel.ep > 1},
        ep_rank(cfg.parallel.ep > 1 ? comms.coords().dp_rank : 0),
        layout(cfg.model, pipeline_shard(cfg.model, cfg.parallel.pp, comms.coords().stage, cfg.parallel.ep, ep_rank)),
        weights(make_stage_weights(cfg, layout, zero)),
        gemm(cfg.training.precision, scratch),
        rope_table(kernels::rope_cos_sin_table(cfg.training.seq_len, cfg.model.qk_rope)) {
    cudaStream_t s = nullptr;
    DEEPSIM_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    stream.reset(s);
    DEEPSIM_CUDA_CHECK(cudaMemsetAsync(nan_flag.data(), 0, nan_flag.bytes(), s));
    StageContext ctx{&c, &layout, &weights, &gemm, &scratch, &tagger, &comms, stream.get(), nan_flag.data(),
                     rope_table.data(), cfg.parallel.ep, ep_rank};
    gemm.set_tagger(&tagger);
    stage = std::make_unique<GpuStage>(ctx);
    const int in_flight = std::min(cfg.parallel.micro_batches, cfg.parallel.pp - comms.coords().stage);
    slots = std::vector<MicroBatchState>(static_cast<std::size_t>(std::max(1, in_flight)));
    // The weights, router biases and RoPE table were uploaded and set on the legacy default stream, which
    // the non-blocking compute stream does not wait for: finish them before the first step.
    DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
  }
};

void p2p(Rank& r, const PipeAction& a, bf16* act_send, bf16* act_recv, bf16* grad_send, bf16* grad_recv) {
  const long n = r.c.tokens_per_micro_batch() * r.c.model.hidden;
  const int stage = r.comms.coords().stage;
  const int dp_rank = r.comms.coords().dp_rank;
  const int prev = stage > 0 ? rank_of(r.c.parallel, stage - 1, dp_rank) : -1;
  const int next = stage + 1 < r.c.parallel.pp ? rank_of(r.c.parallel, stage + 1, dp_rank) : -1;
  ncclComm_t w = r.comms.world();
  cudaStream_t s = r.stream.get();
  const ScopedTag tag(r.tagger, KernelTag{-1, "pipeline." + to_string(a), a.mb, '\0', "communication", 0, 0, 0});
  const auto count = static_cast<std::size_t>(n);
  DEEPSIM_NCCL_CHECK(ncclGroupStart());
  switch (a.op) {
    case PipeOp::kRecvForward: DEEPSIM_NCCL_CHECK(ncclRecv(act_recv, count, ncclBfloat16, prev, w, s)); break;
    case PipeOp::kSendForward: DEEPSIM_NCCL_CHECK(ncclSend(act_send, count, ncclBfloat16, next, w, s)); break;
    case PipeOp::kSendForwardRecvBackward:
      DEEPSIM_NCCL_CHECK(ncclSend(act_send, count, ncclBfloat16, next, w, s));
      DEEPSIM_NCCL_CHECK(ncclRecv(grad_recv, count, ncclBfloat16, next, w, s));
      break;
    case PipeOp::kSendBackward: DEEPSIM_NCCL_CHECK(ncclSend(grad_send, count, ncclBfloat16, prev, w, s)); break;
    case PipeOp::kSendBackwardRecvForward:
      DEEPSIM_NCCL_CHECK(ncclSend(grad_send, count, ncclBfloat16, prev, w, s));
      DEEPSIM_NCCL_CHECK(ncclRecv(act_recv, count, ncclBfloat16, prev, w, s));
      break;
    case PipeOp::kRecvBackward: DEEPSIM_NCCL_CHECK(ncclRecv(grad_recv, count, ncclBfloat16, next, w, s)); break;
    case PipeOp::kForward:
    case PipeOp::kBackward: break;
  }
  DEEPSIM_NCCL_CHECK(ncclGroupEnd());
}

// Router-bias update (TR 2.1.2) from this step's loads summed over the dp ranks of the stage.
void update_router_bias(Rank& r, std::map<int, std::vector<float>>& load) {
  if (!r.c.model.router_bias) return;
  for (auto& [layer, l] : load) {
    cudaStream_t s = r.stream.get();
    float* dev = r.scratch.get<float>("bias.load", l.size());
    copy_to_device(dev, l, s);
    DEEPSIM_NCCL_CHECK(ncclAllReduce(dev, dev, l.size(), ncclFloat, ncclSum, r.comms.dp(), s));
    copy_to_host(l.data(), dev, l.size(), s);
    kernels::DeviceBuffer<float>& b = r.weights.router_bias.at(layer);
    std::vector<float> bias(b.size());
    copy_to_host(bias.data(), b.data(), bias.size(), s);
    double mean = 0.0;
    for (float x : l) mean += x;
    mean /= static_cast<double>(l.size());
    for (std::size_t e = 0; e < l.size(); ++e)
      bias[e] += r.c.exec.bias_update_speed * static_cast<float>((mean > l[e]) - (mean < l[e]));
    copy_to_device(b.data(), bias, s);  // before the next step's router kernels on the same stream
  }
}

// One training step; returns the mean loss (main + lambda * MTP) over the global batch.
double run_step(Rank& r, const TokenSource& src, int step) {
  const ExecConfig& c = r.c;
  const auto n = static_cast<std::size_t>(c.tokens_per_micro_batch() * c.model.hidden);
  bf16* act_send = r.scratch.get<bf16>("pp.act_send", n);
  bf16* act_recv = r.scratch.get<bf16>("pp.act_recv", n);
  bf16* grad_send = r.scratch.get<bf16>("pp.grad_send", n);
  bf16* grad_recv = r.scratch.get<bf16>("pp.grad_recv", n);
  for (int g = 0; g < kParamGroups; ++g)
    if (r.weights.size[g] > 0)
      DEEPSIM_CUDA_CHECK(cudaMemsetAsync(r.weights.grad[g].data(), 0, r.weights.grad[g].bytes(), r.stream.get()));
  const int stage = r.comms.coords().stage;
  const auto actions = c.parallel.schedule == "gpipe" ? gpipe(c.parallel.pp, stage, c.parallel.micro_batches)
                                                      : one_f_one_b(c.parallel.pp, stage, c.parallel.micro_batches);
  double loss = 0.0;
  std::map<int, std::vector<float>> load;
  const int row = c.training.seq_len + 1 + c.model.mtp_depth;
  for (const PipeAction& a : actions) {
    MicroBatchState& st = r.slots[static_cast<std::size_t>(a.mb) % r.slots.size()];
    if (a.op == PipeOp::kForward) {
      r.stage->load_tokens(st, src.batch(BatchAddress{step, a.mb, r.comms.coords().dp_rank}, c.parallel.micro_batch_size, row));
      r.stage->forward(st, a.mb, act_recv, act_send);
      for (const auto& [layer, routing] : st.routing) {
        auto& l = load[layer];
        l.resize(routing.load.size(), 0.f);
        for (std::size_t e = 0; e < l.size(); ++e) l[e] += static_cast<float>(routing.load[e]);
      }
    } else if (a.op == PipeOp::kBackward) {
      r.stage->backward(st, a.mb, grad_recv, grad_send);
      if (r.layout.shard().has_head) {
        const auto [main, mtp] = r.stage->losses(st);
        loss += (main + c.exec.mtp_lambda * mtp) / c.parallel.micro_batches;
      }
    } else {
      p2p(r, a, act_send, act_recv, grad_send, grad_recv);
    }
  }
  {
    // Op "optimizer", no F/B/W phase: compare/ reports it as its own phase (docs/measured-run.md).
    const ScopedTag tag(r.tagger, KernelTag{-1, "optimizer", -1, '\0', "memory_bound", 0, 0, 0});
    zero1_step(r.weights, c, r.zero, r.comms.dp(), r.scratch, learning_rate(c.exec, step), step + 1, r.stream.get(),
               &r.tagger);
  }
  update_router_bias(r, load);
  // Mean over the last stage's dp ranks, visible to every rank.
  float* dev = r.scratch.get<float>("step.loss", 1);
  const float mine = r.layout.shard().has_head ? static_cast<float>(loss / c.parallel.dp) : 0.f;
  copy_to_device(dev, &mine, 1, r.stream.get());
  DEEPSIM_NCCL_CHECK(ncclAllReduce(dev, dev, 1, ncclFloat, ncclSum, r.comms.world(), r.stream.get()));
  float total = 0.f;
  copy_to_host(&total, dev, 1, r.stream.get());
  return total;
}

}  // namespace

void validate_gpu_config(const ExecConfig& c) {
  const ModelConfig& m = c.model;
  if (m.qk_nope != kernels::kMlaQkNopeDim || m.qk_rope != kernels::kMlaQkRopeDim || m.v_dim != kernels::kMlaVHeadDim)
    throw ConfigError(c.source_file + ": model.attention: the GPU attention kernel is built for qk_nope 128, qk_rope 64, "
                      "v 128 (DeepSeek-V3); use --cpu-reference for other head sizes");
  if (m.hidden % 8 != 0 || m.vocab % 8 != 0)
    throw ConfigError(c.source_file + ": model.hidden and model.vocab must be multiples of 8 (16-byte GEMM rows)");
  if (m.routed_experts > 0 && (m.expert_intermediate % 8 != 0 || m.routed_experts > kernels::kRouterMaxExperts))
    throw ConfigError(c.source_file + ": model.moe: expert_intermediate % 8 == 0 and routed_experts <= 1024 needed");
}

MeasuredRun train_gpu(const ExecConfig& c, int steps, const StepObserver& observer) {
  validate_gpu_config(c);
  const DistEnv env = dist_env_from_environment();
  DEEPSIM_CUDA_CHECK(cudaSetDevice(env.local_rank));
  const kernels::DeviceInfo dev = kernels::query_device(env.local_rank);
  if (!dev.available) throw std::runtime_error("GPU " + std::to_string(env.local_rank) + ": " + dev.reason);
  Rank r(c, env);
  std::unique_ptr<CuptiTracer> tracer;
  try {
    tracer = std::make_unique<CuptiTracer>(r.tagger);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "deepsim-exec: kernel tracing off: %s\n", e.what());
  }
  const TokenSource src(TokenSourceParams{c.model.vocab, c.exec.seed, c.exec.synthetic_noise, c.exec.token_file});
  MeasuredRun run;
  run.rank = env.rank;
  run.world_size = env.world_size;
  // The device that ran (calibrate/ uses these figures, not the scenario's cluster.gpu).
  run.device = DeviceRecord{dev.name, dev.sm_major * 10 + dev.sm_minor, dev.sms, dev.driver_version, dev.runtime_version,
                            utc_now_iso8601(), c.gpu};
  run.device.sm_clock_khz = dev.sm_clock_khz;
  run.device.memory_clock_khz = dev.memory_clock_khz;
  run.device.memory_bus_width_bits = dev.memory_bus_width_bits;
  run.device.memory_bandwidth_gbps = dev.memory_bandwidth_bytes_per_s() / 1e9;
  run.device.memory_bytes = dev.total_memory_bytes;
  run.device.l2_bytes = dev.l2_bytes;
  run.config = config_to_json(c);
  run.config_yaml = scenario_yaml(c);
  const Event start = make_event();
  const Event stop = make_event();
  const int n_steps = steps > 0 ? steps : c.exec.steps;
  for (int step = 0; step < n_steps; ++step) {
    DEEPSIM_CUDA_CHECK(cudaStreamSynchronize(r.stream.get()));
    const std::uint64_t start_ns = cupti_timestamp_ns();
    DEEPSIM_CUDA_CHECK(cudaEventRecord(start.get(), r.stream.get()));
    const double loss = run_step(r, src, step);
    DEEPSIM_CUDA_CHECK(cudaEventRecord(stop.get(), r.stream.get()));
    DEEPSIM_CUDA_CHECK(cudaEventSynchronize(stop.get()));
    float ms = 0.f;
    DEEPSIM_CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
    if (!std::isfinite(loss))
      throw NonFiniteError("loss is " + std::to_string(loss) + " at step " + std::to_string(step) +
                           "; rerun with exec.debug_checks: true to find the layer and op");
    std::size_t free_b = 0;
    std::size_t total_b = 0;
    DEEPSIM_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
    run.high_water_bytes = std::max<std::uint64_t>(run.high_water_bytes, total_b - free_b);
    const StepRecord rec{step, ms, c.tokens_per_step(), loss, start_ns, cupti_timestamp_ns()};
    run.steps.push_back(rec);
    if (tracer) {
      auto k = tracer->take_records();
      run.kernels.insert(run.kernels.end(), std::make_move_iterator(k.begin()), std::make_move_iterator(k.end()));
    }
    if (observer) observer(rec);
  }
  return run;
}

}  // namespace deepsim::runtime
