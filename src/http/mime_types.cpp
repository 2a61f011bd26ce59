// Extension lookup in the generated MIME table, and type classification.
#include "http/mime_types.hpp"

#include <algorithm>
#include <array>

#include "util/ascii.hpp"

namespace lwspp::http {
namespace {

using util::iequals;

#include "http/mime_table.inc"

constexpr bool entry_less(const mime_entry& a, const mime_entry& b) {
  return a.extension < b.extension;
}
static_assert(std::is_sorted(std::begin(mime_table), std::end(mime_table), entry_less),
              "mime_table.inc must be sorted: regenerate it with scripts/gen-mime-types");

bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool iends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

// "text/html; charset=utf-8" -> "text/html" (OWS before ';' dropped too).
std::string_view bare_type(std::string_view type) noexcept {
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
    type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t'))
    type.remove_prefix(1);
  return type;
}

const mime_entry* find_entry(std::string_view filename) noexcept {
  const std::size_t slash = filename.rfind('/');
  const std::string_view base =
      slash == std::string_view::npos ? filename : filename.substr(slash + 1);
  const std::size_t dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return nullptr;  // none, or ".bashrc"
  const std::string_view ext = base.substr(dot + 1);
  if (ext.empty() || ext.size() > mime_longest_extension) return nullptr;
  std::array<char, mime_longest_extension> buf{};
  for (std::size_t i = 0; i < ext.size(); ++i)
    buf[i] = util::to_lower(ext[i]);
  const std::string_view key(buf.data(), ext.size());
  const mime_entry* it =
      std::lower_bound(std::begin(mime_table), std::end(mime_table), key,
                       [](const mime_entry& e, std::string_view k) { return e.extension < k; });
  if (it == std::end(mime_table) || it->extension != key) return nullptr;
  return it;
}

}  // namespace

std::string_view mime_type_for(std::string_view filename) noexcept {
  const mime_entry* e = find_entry(filename);
  return e != nullptr ? bare_type(e->content_type) : default_mime_type;
}

std::string_view content_type_for(std::string_view filename) noexcept {
  const mime_entry* e = find_entry(filename);
  return e != nullptr ? e->content_type : default_mime_type;
}

bool mime_is_text(std::string_view type) noexcept {
  return istarts_with(bare_type(type), "text/");
}

bool compressible_type(std::string_view type) noexcept {
  type = bare_type(type);
  if (istarts_with(type, "text/")) return true;
  if (iends_with(type, "+json") || iends_with(type, "+xml") || iends_with(type, "+yaml")) {
    return true;  // application/ld+json, image/svg+xml, application/atom+xml, ...
  }
  static constexpr std::string_view exact[] = {
      "application/javascript",
      "application/x-javascript",
      "application/ecmascript",
      "application/json",
      "application/xml",
      "application/yaml",
      "application/toml",
      "application/wasm",
      "application/x-sh",
      "application/rtf",
      "application/postscript",
      "application/x-tar",
      "application/vnd.ms-fontobject",
      "font/ttf",
      "font/otf",
      "font/collection",
      "image/bmp",
      "image/vnd.microsoft.icon",
      "image/x-icon",
  };
  return std::any_of(std::begin(exact), std::end(exact),
                     [type](std::string_view t) { return iequals(type, t); });
}

std::span<const mime_entry> mime_entries() noexcept {
  return mime_table;
}

}  // namespace lwspp::http
