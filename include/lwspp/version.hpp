// Version and what this build contains, queryable at run time.
#pragma once

#include <string_view>

namespace lwspp {

inline constexpr int version_major = 0;
inline constexpr int version_minor = 1;
inline constexpr int version_patch = 0;
inline constexpr std::string_view version_string = "0.1.0";

// Features built in, e.g. "epoll raw tcp unix udp". Grows with each layer.
std::string_view built_features() noexcept;

}  // namespace lwspp
