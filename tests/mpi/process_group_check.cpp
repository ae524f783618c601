// Checks, from inside an `mpirun -n 2` job, that a failure on one process stops both at the same
// step (the failing process with its own error, the other quietly with its exit code) rather than
// leaving one waiting for the other, including a replication that fails on the second process
// only; and that the group still gives the one-process summary afterwards. Run by
// tests/mpi_run_test.cpp; prints "rank R: all checks passed" and exits 0, or names what failed.
#include <algorithm>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "core/errors.hpp"
#include "parallel/distributed_run.hpp"
#include "parallel/process_group.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/replication.hpp"

namespace {

using carecast::parallel::PeerProcessFailed;
using carecast::parallel::ProcessGroup;

// Fails the first replication it sees, on whichever process it is given to.
class FailingObserver : public carecast::ReplicationObserver {
 public:
  void admitted(std::uint32_t, const carecast::ChildState&, double, bool) override {
    throw std::runtime_error("a planted failure in a replication");
  }
  void placement_changed(std::uint32_t, const carecast::ChildState&, carecast::Category, double) override {}
  void left_care(std::uint32_t, const carecast::ChildState&, carecast::ExitReason, double) override {}
};

}  // namespace

int main() {
  ProcessGroup& group = ProcessGroup::world();
  const int rank = group.rank();
  int failures = 0;
  auto expect = [&](bool holds, const std::string& what) {
    if (holds) return;
    std::cout << "rank " << rank << ": FAILED: " << what << "\n";
    ++failures;
  };
  if (group.size() != 2) {
    std::cout << "rank " << rank << ": FAILED: expects mpirun -n 2, got " << group.size() << " process(es)\n";
    return 1;
  }

  // Bad input on the second process only: it rethrows its own error, the first stops with exit code 2.
  try {
    group.run_together([&] {
      if (rank == 1) throw carecast::InputError({"scenario.toml", 3, 1, "runs"}, "a planted failure");
    });
    expect(false, "a step that failed on the second process did not throw");
  } catch (const PeerProcessFailed& e) {
    expect(rank == 0 && e.failed_rank() == 1 && e.exit_code() == 2, "PeerProcessFailed(1, 2) on the first process");
  } catch (const carecast::InputError& e) {
    expect(rank == 1 && std::string(e.what()).find("scenario.toml:3") != std::string::npos,
           "the second process's own InputError on the second process");
  }

  // Both fail: the first process's error on the first, the second stops quietly with exit code 1.
  try {
    group.run_together([&] { throw std::runtime_error("failure on " + std::to_string(rank)); });
    expect(false, "a step that failed everywhere did not throw");
  } catch (const PeerProcessFailed& e) {
    expect(rank == 1 && e.failed_rank() == 0 && e.exit_code() == 1, "PeerProcessFailed(0, 1) on the second process");
  } catch (const std::runtime_error& e) {
    expect(rank == 0 && std::string(e.what()) == "failure on 0", "the first process's own error on the first");
  }

  carecast::Scenario scenario = carecast::load_scenario(carecast::default_scenario_path());
  scenario.horizon_years = 1;
  carecast::RunOptions options;
  options.runs = 101;
  options.seed = 3;
  options.threads = 1;

  // A replication fails on the second process only, while the first simulates its own block.
  FailingObserver failing;
  carecast::RunOptions failing_options = options;
  if (rank == 1) failing_options.observer = &failing;
  try {
    carecast::parallel::run_and_summarise_together(group, scenario, failing_options);
    expect(false, "a failed replication did not stop the run");
  } catch (const PeerProcessFailed& e) {
    expect(rank == 0 && e.failed_rank() == 1 && e.exit_code() == 1, "PeerProcessFailed(1, 1) on the first process");
  } catch (const std::runtime_error& e) {
    expect(rank == 1 && std::string(e.what()) == "a planted failure in a replication",
           "the replication's own error on the second process");
  }

  // Afterwards the group still works, and its summary is the one-process summary.
  const carecast::StreamedSummary shared = carecast::parallel::run_and_summarise_together(group, scenario, options);
  if (rank == 0) {
    const carecast::StreamedSummary alone = carecast::run_and_summarise(scenario, options);
    expect(shared.rows.size() == alone.rows.size() && !alone.rows.empty(), "as many summary rows as one process");
    bool same = shared.rows.size() == alone.rows.size();
    for (std::size_t i = 0; same && i < alone.rows.size(); ++i) {
      const carecast::SummaryRow& a = shared.rows[i];
      const carecast::SummaryRow& b = alone.rows[i];
      same = a.cell == b.cell && a.date == b.date && a.mean == b.mean && a.standard_error == b.standard_error &&
             std::equal(std::begin(a.percentile), std::end(a.percentile), std::begin(b.percentile));
    }
    expect(same, "every summary row equal, bit for bit, to one process's");
    expect(shared.info.child_events == alone.info.child_events && shared.info.runs == 101 &&
               shared.info.children_simulated == alone.info.children_simulated,
           "the totals of both processes");
  } else {
    expect(shared.rows.empty(), "no summary rows on the second process");
  }

  std::cout << "rank " << rank << ": " << (failures == 0 ? "all checks passed" : "FAILED") << "\n";
  return failures == 0 ? 0 : 1;
}
