// Where ri keeps things, following XDG on Unix and staying compatible with Interlink and
// rescale-cli for configuration (~/.config/rescale/).
#pragma once

#include <filesystem>
#include <string>

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

}  // namespace ri::paths
