#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <mutex>
#include <string_view>

#include "core/error.hpp"
#include "core/users.hpp"

namespace ri::users {
namespace {

// getpwent and friends share static state: one caller at a time.
std::mutex g_passwd_mutex;

bool login_shell(std::string_view shell) {
    return !(shell.ends_with("/nologin") || shell.ends_with("/false"));
}

Account from_passwd(const passwd& pw) {
    Account a;
    a.name = pw.pw_name ? pw.pw_name : "";
    a.uid = pw.pw_uid;
    a.gid = pw.pw_gid;
    a.home = pw.pw_dir ? pw.pw_dir : "";
    a.can_log_in = login_shell(pw.pw_shell ? pw.pw_shell : "");
    int count = 32;
    std::vector<gid_t> groups(static_cast<size_t>(count));
    while (::getgrouplist(a.name.c_str(), a.gid, groups.data(), &count) < 0) {
        groups.resize(static_cast<size_t>(count) + 16);
        count = static_cast<int>(groups.size());
    }
    groups.resize(static_cast<size_t>(count));
    a.groups.assign(groups.begin(), groups.end());
    return a;
}

}  // namespace

std::vector<Account> all() {
    std::lock_guard lock(g_passwd_mutex);
    std::vector<Account> out;
    ::setpwent();
    while (passwd* pw = ::getpwent())
        out.push_back(from_passwd(*pw));
    ::endpwent();
    return out;
}

std::optional<Account> by_name(const std::string& name) {
    std::lock_guard lock(g_passwd_mutex);
    passwd* pw = ::getpwnam(name.c_str());
    if (!pw) return std::nullopt;
    return from_passwd(*pw);
}

std::optional<Account> by_uid(uint32_t uid) {
    std::lock_guard lock(g_passwd_mutex);
    passwd* pw = ::getpwuid(static_cast<uid_t>(uid));
    if (!pw) return std::nullopt;
    return from_passwd(*pw);
}

Account current() {
    if (auto a = by_uid(static_cast<uint32_t>(::getuid()))) return *a;
    Account a;
    a.uid = static_cast<uint32_t>(::getuid());
    a.gid = static_cast<uint32_t>(::getgid());
    return a;
}

bool is_superuser() {
    return ::geteuid() == 0;
}

}  // namespace ri::users
