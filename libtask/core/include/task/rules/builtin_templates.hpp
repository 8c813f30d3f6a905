#pragma once
/// The built-in templates, defined once: the memory adapter loads them on request and the SQL
/// migrations seed the same list. At least one per task type; each one is instantiable with only
/// its required_fields.
///
/// Ownership: each call returns a fresh vector the caller owns. Thread-safety: pure; safe from any
/// number of threads.
#include <vector>

#include "task/domain/model.hpp"

namespace task {

/// The built-in templates (template_id `tpl_<name>`), created_at/updated_at = `at`.
std::vector<Template> builtin_templates(Timestamp at = Timestamp{});

}  // namespace task
