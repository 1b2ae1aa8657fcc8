// The shared command-line layer (common/cmdline): help and version before anything else, did-you-mean,
// strict values, and the single-command form deepsim-exec and deepsim-kernel-bench use.
#include "cmdline/command_line.h"

#include <gtest/gtest.h>

#include <sstream>

namespace deepsim::cmdline {
namespace {

Program two_commands(int* ran) {
  Program p{"prog", "1.2.3", "a test program", {}, "exit codes: none"};
  p.commands.push_back({{"fit", "", 0, 0, "fit things", {{"out", "FILE", false, "output"}, {"n", "N", false, "count"}}},
                        [ran](const Args& a) {
                          *ran = static_cast<int>(a.get_int("n", 1, 10).value_or(1));
                          return 0;
                        }});
  p.commands.push_back({{"show", "PROFILE", 1, 1, "show a profile", {}}, [ran](const Args&) {
                          *ran = -1;
                          return 0;
                        }});
  return p;
}

int run(const Program& p, std::vector<std::string> argv, std::string* out = nullptr) {
  std::ostringstream o;
  const int rc = run_program(p, argv, o);
  if (out) *out = o.str();
  return rc;
}

TEST(CommandLine, HelpAndVersionExitZeroWithoutRunningTheCommand) {
  int ran = 0;
  const Program p = two_commands(&ran);
  std::string out;
  EXPECT_EQ(run(p, {"--help"}, &out), 0);
  EXPECT_NE(out.find("fit"), std::string::npos);
  EXPECT_NE(out.find("show"), std::string::npos);  // the program's help lists every command
  EXPECT_EQ(run(p, {"--version"}, &out), 0);
  EXPECT_EQ(out, "prog 1.2.3\n");
  EXPECT_EQ(run(p, {"show", "--help"}, &out), 0);  // a command without options still has help
  EXPECT_NE(out.find("usage: prog show PROFILE"), std::string::npos) << out;
  EXPECT_EQ(run(p, {"help", "fit"}, &out), 0);
  EXPECT_NE(out.find("--out FILE"), std::string::npos) << out;
  EXPECT_EQ(run(p, {"fit", "--version"}, &out), 0);
  EXPECT_EQ(ran, 0);
}

TEST(CommandLine, NoArgumentsPrintHelpAndReturnTheGivenCode) {
  int ran = 0;
  std::string out;
  EXPECT_EQ(run(two_commands(&ran), {}, &out), 2);
  EXPECT_NE(out.find("commands:"), std::string::npos);
}

TEST(CommandLine, UnknownCommandAndOptionSuggestTheClosest) {
  int ran = 0;
  const Program p = two_commands(&ran);
  try {
    (void)run(p, {"fitt"});
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.where(), "prog");
    EXPECT_EQ(e.hint(), "did you mean 'fit'?");
  }
  try {
    (void)run(p, {"fit", "--otu", "x"});
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.where(), "prog fit");
    EXPECT_EQ(e.hint(), "did you mean '--out'?");
  }
  try {
    (void)run(p, {"show", "a", "--json", "x"});
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.hint(), "this command takes no options");  // not "expected one of: " with an empty list
  }
}

TEST(CommandLine, EmptyValuesAndMissingValuesAreErrors) {
  int ran = 0;
  const Program p = two_commands(&ran);
  EXPECT_THROW((void)run(p, {"fit", "--out", ""}), UsageError);
  EXPECT_THROW((void)run(p, {"fit", "--out="}), UsageError);
  EXPECT_THROW((void)run(p, {"fit", "--out"}), UsageError);
  EXPECT_THROW((void)run(p, {"fit", "--out", "a", "--out", "b"}), UsageError);
  EXPECT_THROW((void)run(p, {"show"}), UsageError);            // missing PROFILE
  EXPECT_THROW((void)run(p, {"show", "a", "b"}), UsageError);  // one too many
  EXPECT_EQ(ran, 0);
}

TEST(CommandLine, NumbersAreParsedStrictly) {
  int ran = 0;
  const Program p = two_commands(&ran);
  EXPECT_EQ(run(p, {"fit", "--n", "7"}), 0);
  EXPECT_EQ(ran, 7);
  EXPECT_EQ(run(p, {"fit", "--n=3"}), 0);
  EXPECT_EQ(ran, 3);
  for (const char* bad : {"3abc", "1e30", "4k", "0", "11", "", " 4", "2.0", "0x4"}) {
    EXPECT_THROW((void)run(p, {"fit", "--n", bad}), UsageError) << bad;
  }
  try {
    (void)run(p, {"fit", "--n", "4k"});
  } catch (const UsageError& e) {
    EXPECT_EQ(e.where(), "prog fit --n");
    EXPECT_NE(e.message().find("1..10"), std::string::npos) << e.what();
    EXPECT_NE(e.hint().find("not 4k"), std::string::npos) << e.what();
  }
}

TEST(CommandLine, DoubleDashEndsOptions) {
  int ran = 0;
  Program p = two_commands(&ran);
  EXPECT_EQ(run(p, {"show", "--", "--help"}), 0);  // "--help" is the PROFILE here
  EXPECT_EQ(ran, -1);
}

TEST(CommandLine, ShortOptionsTakeGetoptsForms) {
  // nccl-tests' spelling: `-b 8 -e128M`; the short name fills the long option's slot.
  std::string b, e;
  Program p{"bench", "1", "one command", {}, ""};
  p.commands.push_back({{"", "", 0, 0, "sweep",
                         {{"minbytes", "SIZE", false, "smallest", 'b'}, {"maxbytes", "SIZE", false, "largest", 'e'}}},
                        [&](const Args& a) {
                          b = a.get("minbytes").value_or("");
                          e = a.get("maxbytes").value_or("");
                          return 0;
                        }});
  EXPECT_EQ(run(p, {"-b", "8", "-e128M"}), 0);
  EXPECT_EQ(b, "8");
  EXPECT_EQ(e, "128M");
  std::string out;
  EXPECT_EQ(run(p, {"--help"}, &out), 0);
  EXPECT_NE(out.find("-b, --minbytes SIZE"), std::string::npos) << out;
  EXPECT_THROW((void)run(p, {"-b", "8", "--minbytes", "16"}), UsageError);  // the same option twice
  EXPECT_THROW((void)run(p, {"-b"}), UsageError);                           // a value is needed
  EXPECT_THROW((void)run(p, {"-x", "1"}), UsageError);                      // no such short option
}

TEST(CommandLine, SingleCommandProgram) {
  std::string got;
  Program p{"exec", "9", "one command", {}, ""};
  p.commands.push_back({{"", "", 0, 0, "run it", {{"config", "FILE", false, "config"}}}, [&](const Args& a) {
                          got = a.get("config").value_or("");
                          return 5;
                        }});
  std::string out;
  EXPECT_EQ(run(p, {"--config", "x.yaml", "--help"}, &out), 0);
  EXPECT_NE(out.find("--config FILE"), std::string::npos) << out;
  EXPECT_NE(out.find("--version"), std::string::npos) << out;
  EXPECT_EQ(run(p, {"--version"}, &out), 0);
  EXPECT_EQ(out, "exec 9\n");
  EXPECT_EQ(got, "");
  EXPECT_EQ(run(p, {"--config", "x.yaml"}), 5);
  EXPECT_EQ(got, "x.yaml");
  try {
    (void)run(p, {"--conifg", "x"});
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_EQ(e.where(), "exec");
    EXPECT_EQ(e.hint(), "did you mean '--config'?");
  }
}

}  // namespace
}  // namespace deepsim::cmdline
