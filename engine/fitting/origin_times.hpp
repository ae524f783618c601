// How long the children in care at the fit's origin had been in their placement, and in care
// before it, in one simulated replication: what the fitted rates say of the start's times, which a
// figures file does not publish.
#pragma once

#include <cstdint>
#include <vector>

#include "core/categories.hpp"
#include "scenario/scenario.hpp"
#include "simulation/replication.hpp"

namespace carecast {

// Sums over the children in care at the origin of one replication.
struct OriginTimeSums {
  PerCategory<double> days_in_placement{};
  PerCategory<double> days_in_care_before_placement{};
  PerCategory<int> children{};
  void add(const OriginTimeSums& other);
};

// Follows every child of a replication up to `origin_time` (days on the replication's clock) and
// keeps, for each, whether it was in care then, where, and since when. Events after the origin are
// ignored, so the state it holds at the end of a run is the state at the origin.
class OriginTimesObserver final : public ReplicationObserver {
 public:
  explicit OriginTimesObserver(double origin_time) : origin_time_(origin_time) {}
  // Forgets the last replication's children (call before each run).
  void clear() { children_.clear(); }
  void admitted(std::uint32_t child, const ChildState& state, double now, bool starting) override;
  void placement_changed(std::uint32_t child, const ChildState& state, Category from, double now) override;
  void left_care(std::uint32_t child, const ChildState& state, ExitReason reason, double now) override;
  OriginTimeSums sums() const;

 private:
  struct Record {
    bool in_care = false;
    Category category = Category::foster_in_house;
    double placement_start = 0;
    double care_start = 0;
  };
  Record& record(std::uint32_t child);
  double origin_time_;
  std::vector<Record> children_;
};

}  // namespace carecast
