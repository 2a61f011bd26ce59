// Accept-Encoding negotiation.
#include "http/accept_encoding.hpp"
#include "util/ascii.hpp"

namespace lwspp::http {
namespace {

using util::iequals;
using util::is_tchar;

bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back()))
    s.remove_suffix(1);
  return s;
}

// tchar (RFC 9110 §5.6.2)
// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
bool parse_qvalue(std::string_view s, int& out) noexcept {
  if (s.empty() || (s[0] != '0' && s[0] != '1')) return false;
  int v = (s[0] - '0') * 1000;
  if (s.size() > 1) {
    if (s[1] != '.' || s.size() > 5) return false;
    int scale = 100;
    for (char c : s.substr(2)) {
      if (c < '0' || c > '9') return false;
      v += (c - '0') * scale;
      scale /= 10;
    }
  }
  if (v > 1000) return false;
  out = v;
  return true;
}

// One member: coding [ OWS ";" OWS "q=" qvalue ]. Weight 1000 when absent.
bool parse_member(std::string_view m, std::string_view& name, int& weight) noexcept {
  const std::size_t semi = m.find(';');
  name = trim(m.substr(0, semi));
  if (name.empty()) return false;
  for (char c : name) {
    if (!is_tchar(c)) return false;
  }
  weight = 1000;
  if (semi == std::string_view::npos) return true;
  const std::string_view param = trim(m.substr(semi + 1));
  if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') return false;
  return parse_qvalue(param.substr(2), weight);
}

enum slot { slot_identity, slot_gzip, slot_br, slot_star, slot_count };

}  // namespace

std::optional<content_coding> choose_content_coding(std::string_view accept_encoding,
                                                    available_codings have) noexcept {
  int q[slot_count] = {-1, -1, -1, -1};  // -1: not mentioned
  std::string_view rest = accept_encoding;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view member =
        trim(comma == std::string_view::npos ? rest : rest.substr(0, comma));
    if (!member.empty()) {
      std::string_view name;
      int weight = 0;
      if (!parse_member(member, name, weight)) return content_coding::identity;  // invalid
      int s = -1;
      if (iequals(name, "identity")) {
        s = slot_identity;
      } else if (iequals(name, "gzip") || iequals(name, "x-gzip")) {
        s = slot_gzip;
      } else if (iequals(name, "br")) {
        s = slot_br;
      } else if (name == "*") {
        s = slot_star;
      }
      if (s >= 0 && q[s] < 0) q[s] = weight;  // the first mention counts
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }

  auto weight_of = [&](int s) {
    if (q[s] >= 0) return q[s];
    if (q[slot_star] >= 0) return q[slot_star];
    return s == slot_identity ? 1 : 0;  // identity: acceptable, least preferred
  };
  // Server preference on ties: br, gzip, identity.
  std::optional<content_coding> best;
  int best_weight = 0;
  auto consider = [&](bool available, int s, content_coding c) {
    const int w = weight_of(s);
    if (available && w > best_weight) {
      best = c;
      best_weight = w;
    }
  };
  consider(have.br, slot_br, content_coding::br);
  consider(have.gzip, slot_gzip, content_coding::gzip);
  consider(true, slot_identity, content_coding::identity);
  return best;
}

}  // namespace lwspp::http
