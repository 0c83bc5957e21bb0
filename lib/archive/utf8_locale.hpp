// libarchive converts entry names between the current locale's charset and the UTF-8 that pax
// headers carry. Tools run in the "C" locale unless told otherwise, where any non-ASCII name
// would fail that conversion; ri treats file names as UTF-8, so while an archive is read or
// written the calling thread uses C.UTF-8 (per thread, via uselocale; the process locale is not
// touched). Names that are not valid UTF-8 are still stored byte for byte (pax hdrcharset=BINARY).
#pragma once

#include <locale.h>

namespace ri::archive {

class ScopedUtf8Locale {
  public:
    ScopedUtf8Locale();
    ~ScopedUtf8Locale();
    ScopedUtf8Locale(const ScopedUtf8Locale&) = delete;
    ScopedUtf8Locale& operator=(const ScopedUtf8Locale&) = delete;

  private:
    locale_t utf8_ = nullptr;
    locale_t previous_ = nullptr;
};

}  // namespace ri::archive
