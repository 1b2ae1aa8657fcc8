// The ISCA'25 paper's speed limit of EP decode ("Insights into DeepSeek-V3", arXiv 2505.09343, 2.3.2),
// reproduced exactly: (1 B + 2 B) x 32 tokens x 9 experts x 7K hidden / bandwidth per micro-batch,
// twice per layer (two micro-batches), 61 layers. The paper prints 120.96 us, 241.92 us, 14.76 ms and
// "67 tokens per second" for CX7 400G IB at 50 GB/s, and 6.72 us, 13.44 us, 0.82 ms and "1200 tokens
// per second" for GB200 NVL72 at 900 GB/s.
#include "sim/serve/speed_limit.h"

#include <gtest/gtest.h>

#include "sim/serve/serve_run.h"

namespace deepsim {
namespace {

TEST(SpeedLimit, Cx7InfiniBandMatchesThePaper) {
  const SpeedLimit l = isca_speed_limit(Bandwidth::gb_per_s(50));
  EXPECT_NEAR(l.comm_s * 1e6, 120.96, 1e-9);
  EXPECT_NEAR(l.layer_s * 1e6, 241.92, 1e-9);
  EXPECT_NEAR(l.tpot_s * 1e3, 14.757, 5e-4);  // printed 14.76 ms
  EXPECT_EQ(static_cast<int>(l.tokens_per_s), 67);  // "67 tokens per second"
}

TEST(SpeedLimit, Gb200Nvl72MatchesThePaper) {
  const SpeedLimit l = isca_speed_limit(Bandwidth::gb_per_s(900));
  EXPECT_NEAR(l.comm_s * 1e6, 6.72, 1e-9);
  EXPECT_NEAR(l.layer_s * 1e6, 13.44, 1e-9);
  EXPECT_NEAR(l.tpot_s * 1e3, 0.82, 5e-3);  // 0.81984 ms, printed 0.82 ms
  // "about 1200 tokens per second": 1219.7, which the paper rounds down.
  EXPECT_NEAR(l.tokens_per_s, 1200, 25);
}

TEST(SpeedLimit, ScalesWithItsInputs) {
  SpeedLimitInput in;
  in.bandwidth = Bandwidth::gb_per_s(50);
  const SpeedLimit base = ep_speed_limit(in);
  in.micro_batches = 1;  // no second micro-batch: half the layer time
  EXPECT_DOUBLE_EQ(ep_speed_limit(in).layer_s, base.layer_s / 2);
  in.micro_batches = 2;
  in.tokens = 64;  // twice the tokens, twice the bytes
  EXPECT_DOUBLE_EQ(ep_speed_limit(in).comm_s, 2 * base.comm_s);
}

}  // namespace
}  // namespace deepsim
