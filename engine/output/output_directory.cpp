#include "output/output_directory.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>
#include <unistd.h>

namespace carecast {
namespace fs = std::filesystem;

StagedOutputDirectory::StagedOutputDirectory(fs::path destination) : destination_(std::move(destination)) {
  fs::path parent = destination_.parent_path();
  if (parent.empty()) parent = ".";
  fs::create_directories(parent);
  const std::string leaf = destination_.filename().string();
  staging_ = parent / ("." + leaf + ".partial-" + std::to_string(::getpid()));
  fs::remove_all(staging_);
  fs::create_directory(staging_);
}

StagedOutputDirectory::~StagedOutputDirectory() {
  if (committed_) return;
  std::error_code ignored;
  fs::remove_all(staging_, ignored);
}

void StagedOutputDirectory::write_file(const std::string& name, const std::function<void(std::ostream&)>& write) {
  const fs::path path = staging_ / name;
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("cannot create " + path.string());
  write(out);
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void StagedOutputDirectory::commit() {
  fs::create_directories(destination_);
  for (const auto& entry : fs::recursive_directory_iterator(staging_)) {
    if (!entry.is_regular_file()) continue;
    const fs::path target = destination_ / fs::relative(entry.path(), staging_);
    fs::create_directories(target.parent_path());
    fs::rename(entry.path(), target);
  }
  fs::remove_all(staging_);
  committed_ = true;
}

std::string content_hash(const std::vector<fs::path>& files) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    for (std::istreambuf_iterator<char> it(in), end; it != end; ++it) {
      hash ^= static_cast<unsigned char>(*it);
      hash *= 0x100000001b3ULL;
    }
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

}  // namespace carecast
