// lwspp::unique_function — a move-only, type-erased callable.
//
// std::move_only_function is C++23; std::function requires copyable targets,
// which forbids capturing a unique_ptr or a moved buffer in a posted task.
// Small callables (up to six pointers: a weak handle plus a std::string) are stored inline so that
// posting a typical lambda does not allocate.
#pragma once

#include <cassert>
#include <cstddef>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

namespace lwspp {

template <class Signature>
class unique_function;

template <class R, class... Args>
class unique_function<R(Args...)> {
  static constexpr std::size_t inline_size = 6 * sizeof(void*);
  static constexpr std::size_t inline_align = alignof(std::max_align_t);

  struct ops {
    R (*invoke)(void* self, Args&&... args);
    // Moves the target from `from` into uninitialised `to`, destroying `from`.
    void (*relocate)(void* from, void* to) noexcept;
    void (*destroy)(void* self) noexcept;
  };

  template <class F>
  static constexpr bool fits_inline =
      sizeof(F) <= inline_size &&
      alignof(F) <= inline_align&& std::is_nothrow_move_constructible_v<F>;

  // std::invoke so that member pointers work; R = void discards any result
  // (std::invoke_r is C++23).
  template <class F>
  static R call(F& f, Args&&... args) {
    if constexpr (std::is_void_v<R>) {
      std::invoke(f, std::forward<Args>(args)...);
    } else {
      return std::invoke(f, std::forward<Args>(args)...);
    }
  }
  template <class F>
  static R invoke_inline(void* self, Args&&... args) {
    return call(*static_cast<F*>(self), std::forward<Args>(args)...);
  }
  template <class F>
  static R invoke_heap(void* self, Args&&... args) {
    return call(**static_cast<F**>(self), std::forward<Args>(args)...);
  }

  template <class F>
  static constexpr ops inline_ops = {
      &invoke_inline<F>,
      [](void* from, void* to) noexcept {
        ::new (to) F(std::move(*static_cast<F*>(from)));
        static_cast<F*>(from)->~F();
      },
      [](void* self) noexcept { static_cast<F*>(self)->~F(); },
  };
  template <class F>
  static constexpr ops heap_ops = {
      &invoke_heap<F>,
      [](void* from, void* to) noexcept { ::new (to) F*(*static_cast<F**>(from)); },
      [](void* self) noexcept { delete *static_cast<F**>(self); },
  };

 public:
  unique_function() noexcept = default;
  unique_function(std::nullptr_t) noexcept {}

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, unique_function> &&
                                     std::is_invocable_r_v<R, D&, Args...>>>
  unique_function(F&& f) {  // NOLINT(google-explicit-constructor): mirrors std::function
    // A function reference (F = R(&)(...)) decays to a pointer that cannot be
    // null; comparing it trips g++'s -Wnonnull-compare.
    if constexpr (std::is_pointer_v<std::remove_reference_t<F>> || std::is_member_pointer_v<D>) {
      if (f == nullptr) return;
    }
    if constexpr (fits_inline<D>) {
      ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
      ops_ = &inline_ops<D>;
    } else {
      ::new (static_cast<void*>(storage_)) D*(new D(std::forward<F>(f)));
      ops_ = &heap_ops<D>;
    }
  }

  unique_function(unique_function&& other) noexcept : ops_(other.ops_) {
    if (ops_) {
      ops_->relocate(other.storage_, storage_);
      other.ops_ = nullptr;
    }
  }

  unique_function& operator=(unique_function&& other) noexcept {
    if (this != &other) {
      reset();
      if (other.ops_) {
        other.ops_->relocate(other.storage_, storage_);
        ops_ = other.ops_;
        other.ops_ = nullptr;
      }
    }
    return *this;
  }

  unique_function& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }

  unique_function(const unique_function&) = delete;
  unique_function& operator=(const unique_function&) = delete;

  ~unique_function() { reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }

  // Calling an empty unique_function is a programming error (like std::function
  // without the exception): it is checked in debug builds.
  R operator()(Args... args) {
    assert(ops_ != nullptr && "called an empty unique_function");
    return ops_->invoke(storage_, std::forward<Args>(args)...);
  }

  void swap(unique_function& other) noexcept {
    unique_function tmp(std::move(other));
    other = std::move(*this);
    *this = std::move(tmp);
  }

 private:
  void reset() noexcept {
    if (ops_) {
      ops_->destroy(storage_);
      ops_ = nullptr;
    }
  }

  alignas(inline_align) std::byte storage_[inline_size];
  const ops* ops_ = nullptr;
};

}  // namespace lwspp
