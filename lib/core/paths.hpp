// Where ri keeps things, following XDG on Unix and staying compatible with Interlink and
// rescale-cli for configuration (~/.config/rescale/). What the OS decides (the home of the
// account, the default runtime directory, private directories) is in paths_posix.cpp; a
// Windows port adds paths_win32.cpp (%APPDATA%, %LOCALAPPDATA%, ACLs).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace ri::paths {

std::filesystem::path home();
// $XDG_CONFIG_HOME/rescale, default ~/.config/rescale.
std::filesystem::path config_dir();
// $XDG_STATE_HOME/ri, default ~/.local/state/ri (state database, logs).
std::filesystem::path state_dir();
std::filesystem::path log_dir();
// $XDG_RUNTIME_DIR/ri, default /tmp/ri-UID (sockets).
std::filesystem::path runtime_dir();
// "~/x" -> home()/x; anything else unchanged.
std::filesystem::path expand_user(const std::string& path);
// Creates the directory and its parents with mode 0700 for the ones created here.
void ensure_private_dir(const std::filesystem::path& dir);
// Creates dir (0700) if needed and refuses, with Error::config naming `what`, one that another
// user owns or that others may write to: a socket or lock there could be someone else's.
void require_private_dir(const std::filesystem::path& dir, std::string_view what);

}  // namespace ri::paths
