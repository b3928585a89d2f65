// A small persistent thread pool: the calling thread plus (threads - 1) workers run tasks 0..n-1 of one job.
// Workers spin briefly after a job, then sleep on a condition variable, so back-to-back kernel calls start fast.
#pragma once
#include <functional>

namespace sentrl {

/** Runs fn(task, threadIndex) for task in [0, tasks); threadIndex is in [0, threadCount()). Not re-entrant. */
void parallelFor(int tasks, const std::function<void(int, int)>& fn);
/** Sets the number of threads (1 = only the calling thread). */
void setThreadCount(int n);
int threadCount();

}  // namespace sentrl
