#include <gtest/gtest.h>

#include "sim/core/error.h"

namespace deepsim {
namespace {

TEST(InputError, FormatsLikeACompilerDiagnostic) {
  const InputError e({"scen.yaml", 12, 3}, "parallel.micro_batchs", "unknown key", "did you mean 'micro_batches'?");
  EXPECT_STREQ(e.what(), "scen.yaml:12:3: parallel.micro_batchs: unknown key (hint: did you mean 'micro_batches'?)");
  EXPECT_EQ(e.pos().line, 12);
  EXPECT_EQ(e.key(), "parallel.micro_batchs");
}

TEST(InputError, OmitsWhatIsUnknown) {
  EXPECT_STREQ(InputError({}, "", "empty").what(), "empty");
  EXPECT_STREQ(InputError({"a.yaml", 0, 0}, "k", "bad").what(), "a.yaml: k: bad");
}

TEST(Assert, ThrowsInternalErrorWithTheExpressionAndLocation) {
  try {
    DEEPSIM_ASSERT(1 + 1 == 3, "arithmetic");
    FAIL() << "no throw";
  } catch (const InternalError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("arithmetic"), std::string::npos);
    EXPECT_NE(what.find("1 + 1 == 3"), std::string::npos);
    EXPECT_NE(what.find("error_test.cpp"), std::string::npos);
  }
}

}  // namespace
}  // namespace deepsim
