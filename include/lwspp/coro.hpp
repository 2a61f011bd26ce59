// lwspp::detached — the smallest coroutine type, for writing client code
// with co_await over lwspp's callbacks:
//
//   lwspp::detached fetch_all(lwspp::http::client& http, lwspp::context& ctx) {
//     auto r = co_await http.get("https://example.com/");
//     if (r) std::printf("%d\n", r->status);
//     ctx.stop();
//   }
//
// It starts at once and runs until its first co_await; each awaiter then
// resumes it on the loop thread that completed the operation. Its frame
// frees itself when the body returns. An exception escaping the body ends
// the process (no exception crosses the loop).
//
// State by value: a coroutine's parameters are copied into its frame, but a
// reference parameter stays a reference. Take what must outlive the first
// co_await by value (std::string, not std::string_view; a copy of the
// lambda's captures, not the lambda) — a capturing lambda that is itself a
// coroutine dangles once the lambda object is gone.
#pragma once
#include <coroutine>
#include <exception>

namespace lwspp {

struct detached {
  struct promise_type {
    detached get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    [[noreturn]] void unhandled_exception() noexcept { std::terminate(); }
  };
};

}  // namespace lwspp
