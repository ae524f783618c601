#include "core/errors.hpp"

namespace carecast {

std::string describe(const InputLocation& where, const std::string& problem) {
  std::string text = where.file.empty() ? std::string("<input>") : where.file;
  if (where.line > 0) text.append(":").append(std::to_string(where.line));
  if (where.column > 0) text.append(":").append(std::to_string(where.column));
  text.append(": ");
  if (!where.field.empty()) text.append("'").append(where.field).append("': ");
  text.append(problem);
  return text;
}

InputError::InputError(InputLocation where, const std::string& problem)
    : std::runtime_error(describe(where, problem)), where_(std::move(where)), problem_(problem) {}

}  // namespace carecast
