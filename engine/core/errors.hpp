// Errors in what a user gave us: a scenario, a CSV, a command-line value. Each names where the
// problem is (file, line, column where known, and the key or column name) so an analyst can fix it.
// The front end turns InputError into exit code 2. Messages must never quote a child identifier
// or a date of birth: callers pass field names and codes, not record contents.
#pragma once

#include <stdexcept>
#include <string>

namespace carecast {

struct InputLocation {
  std::string file;
  int line = 0;    // 1-based; 0 when not known
  int column = 0;  // 1-based; 0 when not known
  std::string field;  // scenario key path or CSV column name
};

class InputError : public std::runtime_error {
 public:
  InputError(InputLocation where, const std::string& problem);
  const InputLocation& where() const { return where_; }
  const std::string& problem() const { return problem_; }

 private:
  InputLocation where_;
  std::string problem_;
};

// "file:line:column: key 'a.b': problem" with the parts that are known.
std::string describe(const InputLocation& where, const std::string& problem);

}  // namespace carecast
