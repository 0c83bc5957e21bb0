// Helpers for unit tests: a private temporary directory and environment overrides that are
// undone at the end of the test.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace ri::test {

class TempDir {
  public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "ri-unit-XXXXXX").string();
        path_ = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

class ScopedEnv {
  public:
    void set(const std::string& name, const std::string& value) {
        save(name);
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    void unset(const std::string& name) {
        save(name);
        ::unsetenv(name.c_str());
    }
    ~ScopedEnv() {
        for (const auto& [name, old] : saved_) {
            if (old)
                ::setenv(name.c_str(), old->c_str(), 1);
            else
                ::unsetenv(name.c_str());
        }
    }

  private:
    void save(const std::string& name) {
        if (saved_.count(name)) return;
        const char* v = std::getenv(name.c_str());
        saved_[name] = v ? std::optional<std::string>(v) : std::nullopt;
    }
    std::map<std::string, std::optional<std::string>> saved_;
};

// A private HOME with XDG dirs inside it and the Rescale variables cleared.
struct IsolatedHome {
    TempDir dir;
    ScopedEnv env;
    IsolatedHome() {
        env.set("HOME", dir.path().string());
        env.set("XDG_CONFIG_HOME", (dir.path() / ".config").string());
        env.set("XDG_STATE_HOME", (dir.path() / ".local/state").string());
        for (const char* v : {"RESCALE_API_KEY", "RESCALE_API_URL", "RESCALE_CONFIG_FILE",
                              "RESCALE_PROFILE", "RESCALE_PROXY_PASSWORD"}) {
            env.unset(v);
        }
    }
};

}  // namespace ri::test
