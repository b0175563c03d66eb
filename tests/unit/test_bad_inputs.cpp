// The bad-input corpus (tests/data/bad/, expectations in tests/data/bad/expected.txt): every file
// is detected, loaded with its strict loader and must fail with an InputError naming the file,
// the key and what is wrong. Every shipped config must pass the same check.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/errors.hpp"
#include "study/input_check.hpp"

using namespace h2sim;
namespace fs = std::filesystem;

namespace {
const std::string kBadDir = H2SIM_TEST_DATA_DIR "/bad";

struct Expectation {
  std::string path;  // relative to kBadDir
  std::vector<std::string> fragments;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<Expectation> read_expectations() {
  std::ifstream in(kBadDir + "/expected.txt");
  std::vector<Expectation> out;
  std::string line;
  while (std::getline(in, line)) {
    if (trim(line).empty() || trim(line)[0] == '#') continue;
    Expectation e;
    std::stringstream fields(line);
    std::string field;
    while (std::getline(fields, field, '|')) {
      if (e.path.empty()) {
        e.path = trim(field);
      } else {
        e.fragments.push_back(trim(field));
      }
    }
    out.push_back(e);
  }
  return out;
}

CheckOptions options() {
  CheckOptions o;
  o.shipped_config = shipped_config_path;
  return o;
}

// The InputError message of checking `path`, "" if it passed. Any other exception fails the test:
// a bad input must never surface as an internal error.
std::string check_error(const std::string& path) {
  try {
    check_input_file(path, detect_input_kind(path), options());
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << path << ": not an InputError: " << e.what();
    return "(internal error)";
  }
  return "";
}
}  // namespace

class BadInput : public ::testing::TestWithParam<Expectation> {};

TEST_P(BadInput, FailsNamingFileKeyAndValue) {
  const Expectation& e = GetParam();
  const std::string msg = check_error(kBadDir + "/" + e.path);
  ASSERT_FALSE(msg.empty()) << e.path << " was accepted";
  EXPECT_NE(msg.find(e.path), std::string::npos) << "the message does not name the file:\n" << msg;
  for (const auto& f : e.fragments) EXPECT_NE(msg.find(f), std::string::npos) << "missing '" << f << "' in:\n" << msg;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadInput, ::testing::ValuesIn(read_expectations()),
                         [](const ::testing::TestParamInfo<Expectation>& info) {
                           std::string name = info.param.path;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(BadInputCorpus, EveryFileHasAnExpectationAndViceVersa) {
  std::set<std::string> listed;
  for (const auto& e : read_expectations()) {
    EXPECT_TRUE(listed.insert(e.path).second) << e.path << " is listed twice";
    EXPECT_TRUE(fs::is_regular_file(kBadDir + "/" + e.path)) << e.path << " is listed but does not exist";
    EXPECT_FALSE(e.fragments.empty() && e.path.find("without") == std::string::npos) << e.path << " has no fragment";
  }
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kBadDir)) {
    if (!entry.is_regular_file()) continue;
    const std::string rel = fs::relative(entry.path(), kBadDir).string();
    if (rel == "expected.txt") continue;
    ++files;
    EXPECT_TRUE(listed.count(rel)) << rel << " has no line in expected.txt";
  }
  EXPECT_GE(files, 40u);
}

TEST(GoodInputs, EveryShippedConfigPassesTheCheck) {
  std::vector<std::string> roots = {H2SIM_SOURCE_DIR "/configs", H2SIM_TEST_DATA_DIR "/artifact",
                                    H2SIM_TEST_DATA_DIR "/mapping"};
  size_t checked = 0;
  for (const auto& root : roots) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file()) continue;
      const std::string path = entry.path().string();
      EXPECT_EQ(check_error(path), "") << path;
      ++checked;
    }
  }
  EXPECT_GE(checked, 14u);
}

TEST(GoodInputs, KindIsDetectedFromKeys) {
  const std::string c = H2SIM_SOURCE_DIR "/configs/";
  EXPECT_EQ(detect_input_kind(c + "hardware/h2llm.yaml"), InputKind::hardware);
  EXPECT_EQ(detect_input_kind(c + "dram/lpddr5-6400.yaml"), InputKind::dram);
  EXPECT_EQ(detect_input_kind(c + "models/llama3-8b.yaml"), InputKind::model);
  EXPECT_EQ(detect_input_kind(c + "scenarios/humaneval.yaml"), InputKind::scenario);
  EXPECT_EQ(detect_input_kind(H2SIM_TEST_DATA_DIR "/mapping/llama_handwritten.yaml"), InputKind::dataflow);
  EXPECT_EQ(detect_input_kind(H2SIM_TEST_DATA_DIR "/artifact/llama3-8b/operator_graph.json"), InputKind::artifact_graph);
  EXPECT_EQ(detect_input_kind(H2SIM_TEST_DATA_DIR "/artifact/llama3-8b/shape.json"), InputKind::artifact_shape);
  // A typo does not change the verdict: near misses count for their format.
  EXPECT_EQ(detect_input_kind(kBadDir + "/scenario/unknown_key.yaml"), InputKind::scenario);
  EXPECT_EQ(detect_input_kind(c + "energy/default.yaml"), InputKind::energy);
  EXPECT_EQ(detect_input_kind(c + "experiments/paper.yaml"), InputKind::experiment);
  EXPECT_EQ(detect_input_kind(H2SIM_TEST_DATA_DIR "/sweeps/tiny.yaml"), InputKind::sweep);
  // 'name' (in every format) is not a near miss of the sweep's 'base'.
  EXPECT_EQ(detect_input_kind(kBadDir + "/scenario/merge_key.yaml"), InputKind::scenario);
}

TEST(GoodInputs, ResolvedConfigCarriesUnits) {
  const std::string text = check_input_file(H2SIM_SOURCE_DIR "/configs/hardware/h2llm.yaml", InputKind::hardware, options());
  EXPECT_NE(text.find("600 MHz"), std::string::npos) << text;
  EXPECT_NE(text.find("12.8 GB/s per channel"), std::string::npos) << text;
  EXPECT_NE(text.find("fits 'lpddr5-6400'"), std::string::npos) << text;
}
