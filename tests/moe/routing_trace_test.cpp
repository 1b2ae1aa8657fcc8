#include "sim/moe/routing_trace.h"

#include <gtest/gtest.h>

#include "sim/core/error.h"

namespace deepsim {
namespace {

// Parses `text` expecting an InputError at `line` whose message contains `what`.
void expect_error(const std::string& text, int line, const std::string& what) {
  try {
    (void)parse_routing_trace_csv(text, "trace.csv");
    ADD_FAILURE() << "no error for: " << text;
  } catch (const InputError& e) {
    EXPECT_EQ(e.pos().file, "trace.csv");
    EXPECT_EQ(e.pos().line, line) << e.what();
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("trace.csv:" + std::to_string(line)), std::string::npos) << e.what();
  }
}

TEST(RoutingTrace, ParsesCommentsBlanksAndMissingExpertsAsZero) {
  const auto t = parse_routing_trace_csv(
      "# recorded on 2048 H800\n\nstep,layer,expert,tokens\n0,0,0,10\n0,0,3,30\n0,1,1,5\r\n1,0,2,7\n1,1,0,1.5\n",
      "trace.csv");
  EXPECT_EQ(t.steps, 2);
  EXPECT_EQ(t.layers, 2);
  EXPECT_EQ(t.experts, 4);
  EXPECT_EQ(std::vector<double>(t.loads(0, 0).begin(), t.loads(0, 0).end()), (std::vector<double>{10, 0, 0, 30}));
  EXPECT_EQ(t.loads(1, 1)[0], 1.5);
  EXPECT_EQ(t.loads(2, 3)[1], 5);  // wraps to step 0, layer 1
}

TEST(RoutingTrace, MalformedTracesNameFileAndLine) {
  expect_error("", 1, "empty");
  expect_error("step,layer,tokens\n", 1, "4 fields");
  expect_error("# c\nstep,layer,expert,count\n", 2, "header");
  expect_error("step,layer,expert,tokens\n0,0,1\n", 2, "4 fields");
  expect_error("step,layer,expert,tokens\n0,0,1,2,3\n", 2, "more than 4");
  expect_error("step,layer,expert,tokens\n0,0,1,2\n0,x,1,2\n", 3, "'x'");
  expect_error("step,layer,expert,tokens\n0,0,-1,2\n", 2, "non-negative integer");
  expect_error("step,layer,expert,tokens\n0,0,1,-2\n", 2, "non-negative number");
  expect_error("step,layer,expert,tokens\n0,0,1,nan\n", 2, "non-negative number");
  expect_error("step,layer,expert,tokens\n0,0,1,2\n\n0,0,1,3\n", 4, "listed twice");
}

TEST(RoutingTrace, AMissingStepLayerPairIsAnError) {
  try {
    (void)parse_routing_trace_csv("step,layer,expert,tokens\n0,0,0,1\n1,1,0,1\n", "t.csv");
    ADD_FAILURE();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("step 0, layer 1"), std::string::npos) << e.what();
  }
}

TEST(RoutingTrace, UnreadableFileIsAnInputError) {
  EXPECT_THROW((void)load_routing_trace_csv("/nonexistent/trace.csv"), InputError);
}

}  // namespace
}  // namespace deepsim
