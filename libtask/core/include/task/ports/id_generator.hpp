#pragma once
/// Ids: `tsk_` / `exe_` + 24 lowercase hex from a CSPRNG (docs/api.md §3).
///
/// Ownership: shared through std::shared_ptr by everything that draws ids; ids are returned by
/// value. Thread-safety: every method may be called from any number of threads at once.
#include <string>

namespace task {

/// Makes new ids. `RandomIdGenerator` is the production one; tests may inject a sequence.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual std::string task_id() = 0;       ///< `tsk_` + 24 hex
  virtual std::string execution_id() = 0;  ///< `exe_` + 24 hex
  virtual std::string event_id() = 0;      ///< a UUID v4 string
};

/// Ids from the operating system's CSPRNG (std::random_device, which reads getrandom/urandom
/// on Linux with libstdc++).
class RandomIdGenerator final : public IdGenerator {
 public:
  std::string task_id() override;
  std::string execution_id() override;
  std::string event_id() override;
};

/// True when `s` is `prefix` followed by exactly 24 lowercase hex digits.
bool is_generated_id(std::string_view s, std::string_view prefix);

}  // namespace task
