// lwspp::result<T> — a value or an error_info; errors are values, never
// exceptions across the loop.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "lwspp/error.hpp"

namespace lwspp {

template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}   // NOLINT: implicit by design
  result(error_info e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT
  result(lwspp::error e, std::string detail = {})                     // NOLINT
      : v_(std::in_place_index<1>, error_info(e, std::move(detail))) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

  const error_info& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, error_info> v_;
};

// result<void>: success or an error_info.
template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(error_info e) : err_(std::move(e)), failed_(true) {}  // NOLINT
  result(lwspp::error e, std::string detail = {})              // NOLINT
      : err_(e, std::move(detail)), failed_(true) {}

  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  const error_info& error() const {
    assert(failed_);
    return err_;
  }

 private:
  error_info err_;
  bool failed_ = false;
};

}  // namespace lwspp
