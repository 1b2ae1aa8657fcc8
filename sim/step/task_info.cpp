#include "sim/step/task_info.h"

#include <array>
#include <charconv>

namespace deepsim {

std::string_view to_string(StepOp op) {
  static constexpr std::array<std::string_view, kStepOpCount> names = {
      "",           "embed fwd",   "embed dgrad", "embed wgrad", "attn fwd", "attn dgrad", "attn wgrad",
      "moe fwd",    "moe dgrad",   "moe wgrad",   "ffn fwd",     "ffn dgrad", "ffn wgrad", "head fwd",
      "head dgrad", "head wgrad",  "wgrad",       "dispatch",    "combine",  "dispatch bwd", "combine bwd",
      "tp all-reduce", "tp reduce-scatter", "tp all-gather", "etp all-gather", "etp reduce-scatter", "cp ring send",
      "send act",   "send grad",   "dp sync",     "optimizer"};
  return names[static_cast<std::size_t>(op)];
}

bool is_forward_compute(StepOp op) {
  return op == StepOp::kEmbedFwd || op == StepOp::kAttnFwd || op == StepOp::kMoeFwd || op == StepOp::kFfnFwd ||
         op == StepOp::kHeadFwd;
}

bool is_backward_compute(StepOp op) {
  switch (op) {
    case StepOp::kEmbedDgrad: case StepOp::kEmbedWgrad: case StepOp::kAttnDgrad: case StepOp::kAttnWgrad:
    case StepOp::kMoeDgrad: case StepOp::kMoeWgrad: case StepOp::kFfnDgrad: case StepOp::kFfnWgrad:
    case StepOp::kHeadDgrad: case StepOp::kHeadWgrad: case StepOp::kStageWgrad: return true;
    default: return false;
  }
}

namespace {

void append_int(std::string& out, std::int64_t v) {
  std::array<char, 24> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), end);
}

// " mb<mb> s<stage>": the chain's tag that every compute, all-to-all and TP label ends with.
void append_tag(std::string& out, const StepTaskInfo& t) {
  out += " mb";
  append_int(out, t.mb);
  out += " s";
  append_int(out, t.stage);
}

void append_layer(std::string& out, std::string_view what, int layer) {
  out += what;
  out += " L";
  append_int(out, layer);
}

std::string_view ring_name(CpRingLabel r) {
  switch (r) {
    case CpRingLabel::kNone: return "";
    case CpRingLabel::kKv: return "kv";
    case CpRingLabel::kKvRerun: return "kv-rerun";
    case CpRingLabel::kKvBwd: return "kv-bwd";
  }
  return "";
}

// "<prefix><ring> L<layer> step<index>": a CP ring's compute step ("attn-kv L3 step0") or send ("cp-kv L3 step1").
void append_ring(std::string& out, std::string_view prefix, const StepTaskInfo& t) {
  out += prefix;
  append_layer(out, ring_name(t.ring), t.layer);
  out += " step";
  append_int(out, t.index);
}

}  // namespace

// The formats are those the step graph builder used to intern per chain: compute "<what> mb<mb> s<stage>"
// (a full backward's weight gradient "<what> W mb.."), all-to-alls "dispatch[-bwd] mb.. s..", TP
// "tp-ar|tp-rs|tp-ag" + "attn|mlp" + ""|"-bwd"|"-rerun" + " L<layer> mb.. s..", expert TP
// "etp-ag|etp-rs" + ""|"-bwd" + " L<layer> mb.. s..".
// CP: ring steps "attn-kv[-rerun|-bwd] L<layer> step<k> mb.. s..", sends "cp-kv.. L<layer> step<k> mb.. s..",
// the ops after the core "attn[-bwd] L<layer> post mb.. s.."; ZeRO-2 bucket syncs end in " mb<k>".
std::string step_task_label(const StepTaskInfo& t) {
  std::string out;
  out.reserve(40);
  const bool mlp = (t.label_flags & kLabelMlp) != 0;
  switch (t.op) {
    case StepOp::kNone: return out;
    case StepOp::kEmbedFwd: out += "embed"; break;
    case StepOp::kEmbedDgrad: out += "embed-bwd"; break;
    case StepOp::kEmbedWgrad: out += "embed-bwd W"; break;
    case StepOp::kHeadFwd: out += "head"; break;
    case StepOp::kHeadDgrad: out += "head-bwd"; break;
    case StepOp::kHeadWgrad: out += "head-bwd W"; break;
    case StepOp::kStageWgrad: out += "W"; break;
    case StepOp::kAttnFwd:
    case StepOp::kAttnDgrad:
      if (t.ring != CpRingLabel::kNone) {
        append_ring(out, "attn-", t);
        break;
      }
      append_layer(out, t.op == StepOp::kAttnFwd ? "attn" : "attn-bwd", t.layer);
      if ((t.label_flags & kLabelPost) != 0) out += " post";
      break;
    case StepOp::kCpRingSend: append_ring(out, "cp-", t); break;
    case StepOp::kAttnWgrad:
      append_layer(out, "attn-bwd", t.layer);
      out += " W";
      break;
    case StepOp::kMoeFwd: append_layer(out, "moe", t.layer); break;
    case StepOp::kMoeDgrad: append_layer(out, "moe-bwd", t.layer); break;
    case StepOp::kMoeWgrad:
      append_layer(out, "moe-bwd", t.layer);
      out += " W";
      break;
    case StepOp::kFfnFwd: append_layer(out, "ffn", t.layer); break;
    case StepOp::kFfnDgrad: append_layer(out, "ffn-bwd", t.layer); break;
    case StepOp::kFfnWgrad:
      append_layer(out, "ffn-bwd", t.layer);
      out += " W";
      break;
    case StepOp::kDispatch: out += "dispatch"; break;
    case StepOp::kCombine: out += "combine"; break;
    case StepOp::kDispatchBwd: out += "dispatch-bwd"; break;
    case StepOp::kCombineBwd: out += "combine-bwd"; break;
    case StepOp::kTpAllReduce:
    case StepOp::kTpReduceScatter:
    case StepOp::kTpAllGather:
      out += t.op == StepOp::kTpAllGather ? "tp-ag " : t.op == StepOp::kTpReduceScatter ? "tp-rs " : "tp-ar ";
      out += mlp ? "mlp" : "attn";
      out += (t.label_flags & kLabelRerun) != 0 ? "-rerun"
             : t.index == kTpRegather           ? "-regather"
             : (t.label_flags & kLabelBwd) != 0 ? "-bwd"
                                                : "";
      out += " L";
      append_int(out, t.layer);
      break;
    case StepOp::kEtpAllGather:
    case StepOp::kEtpReduceScatter:
      out += t.op == StepOp::kEtpAllGather ? "etp-ag" : "etp-rs";
      if ((t.label_flags & kLabelBwd) != 0) out += "-bwd";
      out += " L";
      append_int(out, t.layer);
      break;
    case StepOp::kSendActivation:
    case StepOp::kSendGradient:
      out += t.op == StepOp::kSendGradient ? "send-grad mb" : "send-act mb";
      append_int(out, t.mb);
      return out;
    case StepOp::kDpSync:
      out += (t.label_flags & kLabelExpert) != 0 ? "expert " : "dense ";
      out += (t.label_flags & kLabelAllGather) != 0   ? "param all-gather"
             : (t.label_flags & kLabelAllReduce) != 0 ? "grad all-reduce"
                                                      : "grad reduce-scatter";
      if ((t.label_flags & kLabelBucket) != 0) {
        out += " s";
        append_int(out, t.stage);
        out += " bucket ";
        append_int(out, t.bucket);
        if (t.index > 0) {
          out += " mb";
          append_int(out, t.index - 1);
        }
      }
      return out;
    case StepOp::kOptimizer: out += "AdamW step"; return out;
  }
  append_tag(out, t);
  return out;
}

}  // namespace deepsim
