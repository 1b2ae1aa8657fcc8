#include "calibrate/src/json_doc.h"

#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

namespace deepsim::calib {
namespace {

struct Frame {
  bool array = false;
  long index = 0;
  std::string key;
};

std::string path_of(const std::vector<Frame>& stack) {
  std::string p;
  for (const Frame& f : stack) p += "/" + (f.array ? std::to_string(f.index) : f.key);
  return p;
}

// Skips a string starting at text[i] == '"'; returns its raw contents and leaves i after the closing quote.
std::string read_string(const std::string& text, std::size_t& i) {
  std::string s;
  for (++i; i < text.size() && text[i] != '"'; ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    s += text[i];
  }
  ++i;
  return s;
}

int scan_for(const std::string& text, const std::string& target) {
  std::vector<Frame> stack;
  int line = 1;
  std::size_t i = 0;
  bool expect_key = false;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (std::isspace(static_cast<unsigned char>(c)) || c == ':') { ++i; continue; }
    if (c == ',') {
      if (!stack.empty() && stack.back().array) ++stack.back().index; else expect_key = true;
      ++i;
      continue;
    }
    if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
      expect_key = false;
      ++i;
      continue;
    }
    if (expect_key && c == '"') {
      stack.back().key = read_string(text, i);
      expect_key = false;
      continue;
    }
    if (path_of(stack) == target) return line;  // a value starts here
    if (c == '{') { stack.push_back({false, 0, {}}); expect_key = true; ++i; }
    else if (c == '[') { stack.push_back({true, 0, {}}); ++i; }
    else if (c == '"') read_string(text, i);
    else while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']' && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  }
  return 0;
}

}  // namespace

int line_of(const std::string& text, const std::string& pointer) {
  std::string p = pointer;
  for (;;) {
    if (const int l = scan_for(text, p); l > 0) return l;
    if (p.empty()) return 0;
    p.erase(p.rfind('/'));
  }
}

JsonDoc parse_json_text(std::string text, const std::string& display_name) {
  JsonDoc d;
  d.file = display_name;
  d.text = std::move(text);
  try {
    d.root = nlohmann::json::parse(d.text);
  } catch (const nlohmann::json::parse_error& e) {
    int line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < d.text.size(); ++i) {
      if (d.text[i] == '\n') { ++line; col = 1; } else { ++col; }
    }
    throw InputError({display_name, line, col}, "", "JSON syntax error", e.what());
  }
  return d;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError({path, 0, 0}, "", "cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

JsonDoc load_json_file(const std::string& path) { return parse_json_text(read_text_file(path), path); }

void json_fail(const JsonDoc& doc, const std::string& pointer, const std::string& message, const std::string& hint) {
  throw InputError({doc.file, line_of(doc.text, pointer), 0}, pointer.empty() ? "/" : pointer, message, hint);
}

}  // namespace deepsim::calib
