#include "pool.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define SENTRL_PAUSE() _mm_pause()
#else
#define SENTRL_PAUSE() std::this_thread::yield()
#endif

namespace sentrl {
namespace {

bool& insidePool();

class Pool {
 public:
  explicit Pool(int n) : threads_(n < 1 ? 1 : n) {
    for (int i = 1; i < threads_; i++) workers_.emplace_back([this, i] { loop(i); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> g(mu_);
      stop_ = true;
      gen_.fetch_add(1);
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int threads() const { return threads_; }

  void run(int tasks, const std::function<void(int, int)>& fn) {
    if (tasks <= 0) return;
    if (threads_ == 1 || tasks == 1) {
      for (int t = 0; t < tasks; t++) fn(t, 0);
      return;
    }
    {
      // Workers register for a job under the lock, so once no straggler of the previous job is active while we
      // hold it, none can pick up the old job after we reset the counters.
      std::unique_lock<std::mutex> lk(mu_);
      while (active_.load(std::memory_order_acquire) != 0) {
        lk.unlock();
        SENTRL_PAUSE();
        lk.lock();
      }
      job_ = &fn;
      tasks_ = tasks;
      next_.store(0, std::memory_order_relaxed);
      done_.store(0, std::memory_order_relaxed);
      gen_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    work(&fn, tasks, 0);
    for (int spins = 0; done_.load(std::memory_order_acquire) != tasks; spins++) {
      if (spins < 4000)
        SENTRL_PAUSE();
      else
        std::this_thread::yield();  // a worker was descheduled: give it the core
    }
  }

 private:
  void work(const std::function<void(int, int)>* fn, int tasks, int tid) {
    for (;;) {
      int t = next_.fetch_add(1, std::memory_order_acq_rel);
      if (t >= tasks) break;
      (*fn)(t, tid);
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  void loop(int tid) {
    insidePool() = true;
    uint64_t seen = 0;
    for (;;) {
      // Spin a little (~100 µs) before sleeping: kernels are usually called back to back.
      for (int i = 0; i < 8000 && gen_.load(std::memory_order_acquire) == seen; i++) SENTRL_PAUSE();
      const std::function<void(int, int)>* fn;
      int tasks;
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return gen_.load(std::memory_order_acquire) != seen; });
        if (stop_) return;
        seen = gen_.load(std::memory_order_acquire);
        fn = job_;
        tasks = tasks_;
        active_.fetch_add(1, std::memory_order_acq_rel);
      }
      work(fn, tasks, tid);
      active_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<uint64_t> gen_{0};
  std::atomic<int> next_{0};
  std::atomic<int> done_{0};
  std::atomic<int> active_{0};
  const std::function<void(int, int)>* job_ = nullptr;
  int tasks_ = 0;
  bool stop_ = false;
};

std::unique_ptr<Pool>& pool() {
  static std::unique_ptr<Pool> p;
  return p;
}

int defaultThreads() {
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(hc);
}

std::atomic<int>& configuredThreads() {
  static std::atomic<int> n{0};
  return n;
}

bool& insidePool() {
  static thread_local bool inside = false;
  return inside;
}

// One job at a time: a second caller (another worker_thread) that finds the pool busy runs its tasks itself.
std::mutex& poolMutex() {
  static std::mutex m;
  return m;
}

}  // namespace

void parallelFor(int tasks, const std::function<void(int, int)>& fn) {
  if (insidePool()) {  // nested call from a task: run it here
    for (int t = 0; t < tasks; t++) fn(t, 0);
    return;
  }
  std::unique_lock<std::mutex> lk(poolMutex(), std::try_to_lock);
  if (!lk.owns_lock()) {
    for (int t = 0; t < tasks; t++) fn(t, 0);
    return;
  }
  struct Inside {
    Inside() { insidePool() = true; }
    ~Inside() { insidePool() = false; }
  } inside;
  if (!pool()) {
    pool().reset(new Pool(threadCount()));
    configuredThreads().store(pool()->threads(), std::memory_order_release);
  }
  pool()->run(tasks, fn);
}

void setThreadCount(int n) {
  if (n < 1) n = 1;
  std::lock_guard<std::mutex> lk(poolMutex());
  if (pool() && pool()->threads() == n) return;
  pool().reset();
  pool().reset(new Pool(n));
  configuredThreads().store(n, std::memory_order_release);
}

int threadCount() {
  // Lock-free once set, so a task running inside parallelFor may ask too.
  const int n = configuredThreads().load(std::memory_order_acquire);
  return n > 0 ? n : defaultThreads();
}

}  // namespace sentrl
