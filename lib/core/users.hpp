// The users of this machine, the OS seam for a service that works for each of them (ri-watch
// as root on Linux, as LocalSystem on Windows): who they are, where their homes are, and which
// groups they are in, from the user database (not a guess at /home/*). users_posix.cpp reads
// the passwd and group databases through getpwent/getgrouplist; a Windows port adds
// users_win32.cpp (the registry's ProfileList).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ri::users {

struct Account {
    std::string name;
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::vector<uint32_t> groups;  // supplementary groups, the primary one included
    std::filesystem::path home;
    bool can_log_in = true;  // false for system accounts whose shell is nologin/false
};

// Every account of the user database, in its order.
std::vector<Account> all();
std::optional<Account> by_name(const std::string& name);
std::optional<Account> by_uid(uint32_t uid);
// The account this process runs as.
Account current();
// True for root (Administrators/LocalSystem on Windows).
bool is_superuser();

}  // namespace ri::users
