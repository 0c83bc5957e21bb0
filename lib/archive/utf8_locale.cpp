#include "archive/utf8_locale.hpp"

namespace ri::archive {

ScopedUtf8Locale::ScopedUtf8Locale() {
    utf8_ = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    if (utf8_) previous_ = ::uselocale(utf8_);
}

ScopedUtf8Locale::~ScopedUtf8Locale() {
    if (!utf8_) return;
    ::uselocale(previous_);
    ::freelocale(utf8_);
}

}  // namespace ri::archive
