// The processes a run is spread over: this process alone, unless it was started by mpirun and
// carecast was built with OpenMPI; then every process (rank) mpirun started. MPI is initialised
// only in the second case, so an ordinary run neither starts nor pays for it, and MPI itself is
// named only in process_group.cpp.
//
// Failure is agreed, not discovered by a hang: a step that may throw runs through run_together,
// and if it threw on any process it throws on every process, so all of them leave their collective
// work at the same point and exit with the same code.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>

namespace carecast::parallel {

// Whether this process was started by mpirun (its environment names its rank).
bool launched_by_mpirun();

// Thrown on every process but one when a step of run_together failed somewhere: the first process
// that failed (lowest rank) rethrows its own error, which says what went wrong; the others stop
// quietly with the same exit code.
class PeerProcessFailed : public std::runtime_error {
 public:
  PeerProcessFailed(int failed_rank, int exit_code);
  int failed_rank() const { return failed_rank_; }
  int exit_code() const { return exit_code_; }

 private:
  int failed_rank_;
  int exit_code_;
};

// The exit code carecast gives for an error: 2 for bad input (InputError), else 1.
int exit_code_for(const std::exception_ptr& error);

class ProcessGroup {
 public:
  // The group of this process. The first call initialises MPI when mpirun started the process;
  // MPI is finalised when the program ends.
  static ProcessGroup& world();
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_first() const { return rank_ == 0; }  // the process that prints and writes output

  // Runs `step` here, then (collectively) learns whether it threw on any process. If it did, the
  // first process that failed rethrows its exception and every other throws PeerProcessFailed
  // with that exception's exit code. Alone, simply runs `step`.
  void run_together(const std::function<void()>& step);

  // Cores on this machine for each of the group's processes on it (at least 1).
  int cores_per_process() const;

  // Collective: process r's first counts[r] runs of `run_size` values each, at the start of its
  // `values`, are gathered into the first process's `values` in rank order (its own first). The
  // first process's `values` must hold the sum of `counts` runs.
  void gather_runs(std::span<std::int32_t> values, std::size_t run_size, std::span<const int> counts);
  void gather_runs(std::span<double> values, std::size_t run_size, std::span<const int> counts);

  // Collective: each element becomes the sum of that element over every process.
  void sum(std::span<std::int64_t> values);

 private:
  ProcessGroup();
  int rank_ = 0;
  int size_ = 1;
  bool mpi_started_ = false;
};

}  // namespace carecast::parallel
