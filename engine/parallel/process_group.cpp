#include "parallel/process_group.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/errors.hpp"

#ifdef CARECAST_WITH_MPI
#include <mpi.h>
#endif

namespace carecast::parallel {
namespace {

// The variables OpenMPI's mpirun (and PMIx or PMI launchers such as srun) give each process.
const char* environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

[[maybe_unused]] int processes_started_by_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"}) {
    if (const char* value = environment(name)) return std::max(1, std::atoi(value));
  }
  return 1;
}

#ifdef CARECAST_WITH_MPI
// An MPI call that failed (communication lost): every process cannot be told, so this one unwinds
// (removing its staging folder) and the group is aborted when it is destroyed.
bool communication_failed = false;

void check(int status, const char* call) {
  if (status == MPI_SUCCESS) return;
  communication_failed = true;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(status, text, &length);
  throw std::runtime_error(std::string("communication between the mpirun processes failed in ") + call + ": " +
                           std::string(text, static_cast<std::size_t>(length)));
}

template <typename Value>
void gather(std::span<Value> values, std::size_t run_size, std::span<const int> counts, MPI_Datatype value_type,
            int rank, int size) {
  if (static_cast<int>(counts.size()) != size) throw std::invalid_argument("gather_runs: one count per process");
  // One run's values as one element, so that the counts stay small whatever the run's size.
  MPI_Datatype run_type;
  check(MPI_Type_contiguous(static_cast<int>(run_size), value_type, &run_type), "MPI_Type_contiguous");
  check(MPI_Type_commit(&run_type), "MPI_Type_commit");
  std::vector<int> displacements(counts.size(), 0);
  for (std::size_t r = 1; r < counts.size(); ++r) displacements[r] = displacements[r - 1] + counts[r - 1];
  const int status = rank == 0 ? MPI_Gatherv(MPI_IN_PLACE, 0, run_type, values.data(), counts.data(),
                                             displacements.data(), run_type, 0, MPI_COMM_WORLD)
                               : MPI_Gatherv(values.data(), counts[static_cast<std::size_t>(rank)], run_type, nullptr,
                                             nullptr, nullptr, run_type, 0, MPI_COMM_WORLD);
  MPI_Type_free(&run_type);
  check(status, "MPI_Gatherv");
}
#endif

}  // namespace

bool launched_by_mpirun() {
  return environment("OMPI_COMM_WORLD_SIZE") != nullptr || environment("PMIX_RANK") != nullptr ||
         environment("PMI_RANK") != nullptr;
}

PeerProcessFailed::PeerProcessFailed(int failed_rank, int exit_code)
    : std::runtime_error("process " + std::to_string(failed_rank) + " of the mpirun job failed"),
      failed_rank_(failed_rank),
      exit_code_(exit_code) {}

int exit_code_for(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const InputError&) {
    return 2;
  } catch (const PeerProcessFailed& e) {
    return e.exit_code();
  } catch (...) {
    return 1;
  }
}

ProcessGroup& ProcessGroup::world() {
  static ProcessGroup group;
  return group;
}

ProcessGroup::ProcessGroup() {
  if (!launched_by_mpirun()) return;
#ifdef CARECAST_WITH_MPI
  int provided = 0;
  // Only the main thread calls MPI; the worker threads only simulate.
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    throw std::runtime_error("mpirun started carecast, but MPI could not be initialised");
  }
  mpi_started_ = true;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
#else
  // Each process would run the whole forecast and write the same folder.
  if (processes_started_by_launcher() > 1) {
    throw InputError({"command line", 0, 0, "mpirun"},
                     "this carecast was built without OpenMPI (libopenmpi-dev was not found when it was built), so "
                     "it cannot share a run between processes; run it without mpirun, or rebuild it with OpenMPI");
  }
#endif
}

ProcessGroup::~ProcessGroup() {
#ifdef CARECAST_WITH_MPI
  if (!mpi_started_) return;
  // Lost communication leaves other processes waiting in a collective that will never complete:
  // only an abort ends them. This process has already unwound, removing its staging folder.
  if (communication_failed) MPI_Abort(MPI_COMM_WORLD, 1);
  MPI_Finalize();
#endif
}

void ProcessGroup::run_together(const std::function<void()>& step) {
  if (size_ == 1) {
    step();
    return;
  }
  std::exception_ptr failure;
  try {
    step();
  } catch (...) {
    failure = std::current_exception();
  }
#ifdef CARECAST_WITH_MPI
  int first_failed = failure ? rank_ : size_;
  check(MPI_Allreduce(MPI_IN_PLACE, &first_failed, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "MPI_Allreduce");
  if (first_failed == size_) return;
  int exit_code = rank_ == first_failed ? exit_code_for(failure) : 0;
  check(MPI_Bcast(&exit_code, 1, MPI_INT, first_failed, MPI_COMM_WORLD), "MPI_Bcast");
  if (rank_ == first_failed) std::rethrow_exception(failure);
  throw PeerProcessFailed(first_failed, exit_code);
#else
  if (failure) std::rethrow_exception(failure);
#endif
}

int ProcessGroup::cores_per_process() const {
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  int here = 1;
#ifdef CARECAST_WITH_MPI
  if (mpi_started_) {
    // The processes that share this machine's cores.
    MPI_Comm machine;
    check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &machine),
          "MPI_Comm_split_type");
    MPI_Comm_size(machine, &here);
    MPI_Comm_free(&machine);
  }
#endif
  return std::max(1, cores / std::max(here, 1));
}

void ProcessGroup::gather_runs(std::span<std::int32_t> values, std::size_t run_size, std::span<const int> counts) {
  if (size_ == 1) return;
#ifdef CARECAST_WITH_MPI
  gather(values, run_size, counts, MPI_INT32_T, rank_, size_);
#else
  (void)values, (void)run_size, (void)counts;
#endif
}

void ProcessGroup::gather_runs(std::span<double> values, std::size_t run_size, std::span<const int> counts) {
  if (size_ == 1) return;
#ifdef CARECAST_WITH_MPI
  gather(values, run_size, counts, MPI_DOUBLE, rank_, size_);
#else
  (void)values, (void)run_size, (void)counts;
#endif
}

void ProcessGroup::sum(std::span<std::int64_t> values) {
  if (size_ == 1) return;
#ifdef CARECAST_WITH_MPI
  check(
      MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD),
      "MPI_Allreduce");
#else
  (void)values;
#endif
}

}  // namespace carecast::parallel
