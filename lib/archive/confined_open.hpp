// Opening paths below a directory without ever leaving it. Used when reading a tree to pack
// (nothing outside the run directory may end up in its archive, even if the tree changes while
// it is read) and for --subpath. openat2(2) does it in the kernel on Linux >= 5.6; older kernels
// (or a seccomp filter that refuses the call) get the same guarantee component by component.
#pragma once

#include <string_view>

namespace ri::archive {

// Opens rel ('/'-separated, relative) below dirfd following no symlink at all, not even the last
// component: ELOOP (or ENOTDIR) when one is met. Returns the fd, or -1 with errno set.
int open_no_symlinks(int dirfd, std::string_view rel, int flags);

// Opens rel below dirfd, following symlinks only while they resolve inside dirfd's tree: EXDEV
// when one leads out (an absolute target or too many ".."). Returns the fd, or -1 with errno set.
int open_beneath(int dirfd, std::string_view rel, int flags);

}  // namespace ri::archive
