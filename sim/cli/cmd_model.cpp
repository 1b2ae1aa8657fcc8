// deepsim model: parameters, FLOPs per token and KV cache of a preset or of a scenario's model.
#include <iostream>
#include <string>

#include "sim/cli/commands.h"
#include "sim/cli/json_output.h"
#include "sim/core/error.h"
#include "sim/core/format.h"
#include "sim/core/suggest.h"
#include "sim/model/flops_per_token.h"
#include "sim/model/kv_cache.h"
#include "sim/model/param_count.h"
#include "sim/model/presets.h"
#include "sim/scenario/loader.h"

namespace deepsim::cli {
namespace {

ModelSpec resolve_model(const Args& args, int& seq_len) {
  const std::string what = args.positional().at(0);
  const bool is_file = what.find('/') != std::string::npos || what.ends_with(".yaml") || what.ends_with(".yml");
  if (is_file) {
    const Scenario s = load_scenario_file(what, args.all("set"));
    seq_len = s.training.seq_len;
    return s.model;
  }
  if (!args.all("set").empty()) throw InputError({}, "--set", "--set needs a scenario file, not a preset name");
  if (auto m = find_model_preset(what)) return *m;
  const auto names = model_preset_names();
  throw InputError({}, "deepsim model", "unknown model preset '" + what + "'", suggestion_hint(what, names));
}

void row(const std::string& name, double value) {
  std::string left = "  " + name;
  left.resize(30, ' ');
  std::cout << left << format_count(value) << "  (" << fixed(value, 0) << ")\n";
}

}  // namespace

int run_model(const Args& args) {
  int seq_len = 4096;
  const ModelSpec m = resolve_model(args, seq_len);
  // 1..16M tokens: beyond any context length a model is trained at, still exact in FLOP arithmetic.
  if (auto s = args.get_int("seq-len", 1, 1 << 24)) seq_len = static_cast<int>(*s);
  if (args.has("json")) {
    std::cout << model_json(m, seq_len).dump(2) << "\n";
    return kExitOk;
  }
  const ParamCount p = count_params(m);
  std::cout << "model " << m.name << " (" << m.source << ")\n\nparameters:\n";
  row("embedding", static_cast<double>(p.embedding));
  row("attention", static_cast<double>(p.attention));
  row("dense FFN", static_cast<double>(p.dense_ffn));
  row("routed experts", static_cast<double>(p.routed_experts));
  row("shared experts", static_cast<double>(p.shared_experts));
  row("router", static_cast<double>(p.router));
  row("norms", static_cast<double>(p.norms));
  row("output head", static_cast<double>(p.output_head));
  row("total (without MTP)", static_cast<double>(p.total()));
  row("MTP modules", static_cast<double>(p.mtp));
  row("total with MTP", static_cast<double>(p.total_with_mtp()));
  row("activated per token", static_cast<double>(p.activated));
  const FlopsPerToken causal = flops_per_token(m, seq_len, true);
  const FlopsPerToken full = flops_per_token(m, seq_len, false);
  std::cout << "\ntraining FLOPs per token at sequence length " << seq_len << " (forward + backward = 3x forward):\n"
            << "  causal attention            " << format_flops(causal.training()) << "  (with MTP "
            << format_flops(causal.training_with_mtp()) << ")\n"
            << "  non-causal attention        " << format_flops(full.training()) << "  (with MTP "
            << format_flops(full.training_with_mtp()) << ")\n"
            << "\nKV cache per token (BF16):    " << fixed(kv_cache_bytes_per_token(m).value(), 0) << " B\n";
  return kExitOk;
}

}  // namespace deepsim::cli
