// The "lwspp.form" error category and the HTTP status for form errors.
#include <cerrno>

#include "lwspp/http_form.hpp"

namespace lwspp::http {
namespace {

class form_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lwspp.form"; }
  std::string message(int value) const override {
    switch (static_cast<form_error>(value)) {
      case form_error::bad_percent_encoding:
        return "bad percent-encoding";
      case form_error::name_too_long:
        return "form field name too long";
      case form_error::value_too_long:
        return "form field value too long";
      case form_error::too_many_fields:
        return "too many form fields";
      case form_error::not_form_data:
        return "not multipart/form-data";
      case form_error::bad_boundary:
        return "missing or invalid multipart boundary";
      case form_error::malformed:
        return "malformed multipart body";
      case form_error::missing_disposition:
        return "part without Content-Disposition: form-data";
      case form_error::part_header_too_large:
        return "part header section too large";
      case form_error::too_many_parts:
        return "too many parts";
      case form_error::part_too_large:
        return "part too large";
      case form_error::body_too_large:
        return "form body too large";
      case form_error::incomplete:
        return "multipart body ended before the close delimiter";
      case form_error::file_too_large:
        return "uploaded file too large";
      case form_error::cancelled:
        return "form parsing cancelled";
    }
    return "unknown form error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& form_error_category() noexcept {
  static const form_category instance;
  return instance;
}

int http_status(const std::error_code& ec) noexcept {
  if (ec.category() == form_error_category()) {
    switch (static_cast<form_error>(ec.value())) {
      case form_error::name_too_long:
      case form_error::value_too_long:
      case form_error::too_many_fields:
      case form_error::part_header_too_large:
      case form_error::too_many_parts:
      case form_error::part_too_large:
      case form_error::body_too_large:
      case form_error::file_too_large:
        return 413;
      case form_error::not_form_data:
        return 415;
      case form_error::bad_percent_encoding:
      case form_error::bad_boundary:
      case form_error::malformed:
      case form_error::missing_disposition:
      case form_error::incomplete:
      case form_error::cancelled:
        return 400;
    }
    return 400;
  }
  if (ec == std::errc::no_space_on_device) return 507;
#ifdef EDQUOT
  if (ec.category() == std::system_category() && ec.value() == EDQUOT) return 507;
#endif
  return 500;
}

}  // namespace lwspp::http
