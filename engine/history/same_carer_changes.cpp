#include "history/same_carer_changes.hpp"

#include <optional>

namespace carecast {

std::optional<SameCarerChanges> parse_same_carer_changes(std::string_view text) {
  if (text == "continue") return SameCarerChanges::continue_placement;
  if (text == "count") return SameCarerChanges::count;
  return std::nullopt;
}

std::string_view name_of(SameCarerChanges rule) {
  return rule == SameCarerChanges::continue_placement ? "continue" : "count";
}

std::size_t join_same_carer_changes(CareHistory& history) {
  std::size_t joined = 0;
  for (ChildHistory& child : history.children) {
    for (CarePeriod& period : child.periods) {
      std::vector<PlacementSpell>& spells = period.placements;
      std::size_t kept = 0;
      for (std::size_t i = 0; i < spells.size(); ++i) {
        if (kept > 0 && spells[i].same_carer_as_previous && spells[i].category == spells[kept - 1].category) {
          spells[kept - 1].end = spells[i].end;
          ++joined;
          continue;
        }
        if (kept != i) spells[kept] = std::move(spells[i]);
        ++kept;
      }
      spells.resize(kept);
    }
  }
  return joined;
}

}  // namespace carecast
