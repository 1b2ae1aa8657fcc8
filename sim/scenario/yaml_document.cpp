#include "sim/scenario/yaml_document.h"

#include <yaml-cpp/eventhandler.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/core/error.h"

namespace deepsim {
namespace {

// Records where the last document starts and where its first node is; nothing else is needed.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    last = mark;
    node = YAML::Mark::null_mark();
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { first(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { first(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { first(m); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    first(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    first(m);
  }
  void OnMapEnd() override {}

  YAML::Mark last = YAML::Mark::null_mark();  // the document's start
  YAML::Mark node = YAML::Mark::null_mark();  // its first node

 private:
  void first(const YAML::Mark& m) {
    if (node.is_null()) node = m;
  }
};

// More documents than this are not counted further (the error says "at least").
constexpr int kCountedDocuments = 64;

std::string size_text(std::size_t bytes) {
  return bytes >= (std::size_t{1} << 20) ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes) + " bytes";
}

[[noreturn]] void stray_comma(const YAML::Mark& at, const SourceMap& sources) {
  throw InputError(sources.from_mark(at), "", "not valid YAML: a ',' outside a [list] or {mapping}",
                   "remove the ',' or put the values in brackets: [a, b]");
}

// True when the quoted scalar opening at text[open] has its closing quote.
bool quote_closes(const std::string& text, std::size_t open) {
  const char q = text[open];
  for (std::size_t i = open + 1; i < text.size(); ++i) {
    if (q == '"' && text[i] == '\\') {
      ++i;  // an escape: the next character cannot close
    } else if (text[i] == q) {
      if (q == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is an escaped single quote
        continue;
      }
      return true;
    }
  }
  return false;
}

// yaml-cpp 0.7.0 accepts a quoted scalar left open at the end of the file when a newline follows it
// ("name: \"abc\n" reads as "abc "), so a missing closing quote on the last line went unnoticed (and
// surfaced later as a confusing error about another key). Every quoted scalar, key or value, is checked.
void check_quotes(const YAML::Node& node, const std::string& text, const SourceMap& sources) {
  if (node.IsScalar()) {
    const auto pos = static_cast<std::size_t>(node.Mark().pos);
    if (pos < text.size() && (text[pos] == '"' || text[pos] == '\'') && !quote_closes(text, pos))
      throw InputError(sources.from_mark(node.Mark()), "",
                       std::string("not valid YAML: the quote ") + text[pos] + " opened here is never closed",
                       std::string("add the closing ") + text[pos] + " at the end of the value");
  } else if (node.IsMap()) {
    for (const auto& kv : node) {
      check_quotes(kv.first, text, sources);
      check_quotes(kv.second, text, sources);
    }
  } else if (node.IsSequence()) {
    for (const auto& v : node) check_quotes(v, text, sources);
  }
}

}  // namespace

YAML::Node load_single_yaml_document(std::string_view text, const SourceMap& sources) {
  if (text.size() > kMaxYamlFileBytes)
    throw InputError({sources.file(), 0, 0}, "",
                     "the file holds " + size_text(text.size()) + ", over the limit of " +
                         size_text(kMaxYamlFileBytes) + " for a scenario or sweep",
                     "a scenario is a few KiB; large data (routing traces, profiles) goes in its own file");
  const std::string owned(text);
  try {
    std::istringstream in(owned);
    YAML::Parser parser(in);
    DocumentStarts starts;
    int documents = 0;
    YAML::Mark second = YAML::Mark::null_mark();
    // A bounded loop: a document starting at a ',' is the #1040 loop, refused at once; past
    // kCountedDocuments we stop counting.
    while (documents < kCountedDocuments && parser.HandleNextDocument(starts)) {
      for (const YAML::Mark& m : {starts.last, starts.node}) {
        const auto pos = static_cast<std::size_t>(m.pos);
        if (!m.is_null() && pos < owned.size() && owned[pos] == ',') stray_comma(m, sources);
      }
      if (++documents == 2) second = starts.node.is_null() ? starts.last : starts.node;
    }
    if (documents >= 2)
      throw InputError(sources.from_mark(second), "",
                       "the file holds " + std::string(documents >= kCountedDocuments ? "at least " : "") +
                           std::to_string(documents) + " YAML documents; a scenario is one",
                       "remove the '---' separators");
    if (documents == 0) return YAML::Node(YAML::NodeType::Null);
  } catch (const YAML::Exception& e) {
    throw InputError(sources.from_mark(e.mark), "", "not valid YAML: " + e.msg,
                     "check the indentation, the quotes and that each key ends with ':'");
  }
  try {
    YAML::Node doc = YAML::Load(owned);  // one document, checked above: Load parses only the first
    check_quotes(doc, owned, sources);
    return doc;
  } catch (const YAML::Exception& e) {
    throw InputError(sources.from_mark(e.mark), "", "not valid YAML: " + e.msg,
                     "check the indentation, the quotes and that each key ends with ':'");
  }
}

std::string read_input_file(const std::string& path, std::size_t max_bytes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    throw InputError({path, 0, 0}, "", "no such file", "check the path; the shipped scenarios are in scenarios/");
  if (!fs::is_regular_file(st))
    throw InputError({path, 0, 0}, "",
                     fs::is_directory(st) ? "is a directory, not a file" : "not a regular file (a pipe, socket or device)",
                     "deepsim reads scenarios from ordinary files; save the input to a file first");
  const auto size = fs::file_size(path, ec);
  if (!ec && size > max_bytes)
    throw InputError({path, 0, 0}, "", "the file holds " + size_text(size) + ", over the limit of " + size_text(max_bytes),
                     "check that this is the file you meant");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw InputError({path, 0, 0}, "", "cannot read the file", "check its permissions");
  if (text.str().size() > max_bytes)  // it grew while we read it
    throw InputError({path, 0, 0}, "", "the file is over the limit of " + size_text(max_bytes), "");
  return text.str();
}

}  // namespace deepsim
