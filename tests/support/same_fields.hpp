#pragma once
/// CHECKs two records field by field over their described field list (task/domain/describe.hpp),
/// naming the field that differs: one comparison for every record type, and a field added to a
/// record is compared without editing the tests.
#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>
#include <catch2/catch.hpp>
#include <string_view>

#include "task/domain/describe.hpp"

namespace task::testing {

/// Every described field of `got` equals the one of `want`, except those named in `skip`.
template <class T>
void check_same_fields(const T& got, const T& want,
                       std::initializer_list<std::string_view> skip = {}) {
  using Fields = boost::describe::describe_members<T, boost::describe::mod_public>;
  boost::mp11::mp_for_each<Fields>([&](auto field) {
    for (auto name : skip)
      if (name == field.name) return;
    INFO("field " << field.name);
    CHECK((got.*field.pointer == want.*field.pointer));
  });
}

}  // namespace task::testing
