#pragma once
/// The bash completion script (scripts/completion/task-cli.bash), embedded at build time.
namespace task::cli {
extern const char* const kBashCompletion;
}  // namespace task::cli
