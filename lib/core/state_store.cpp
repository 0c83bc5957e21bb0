#include "core/state_store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <utility>

#include "core/error.hpp"
#include "core/file.hpp"
#include "core/paths.hpp"

namespace ri {
namespace fs = std::filesystem;

namespace {

// user_version of a database whose parts are versioned in schema_versions.
constexpr int64_t kVersionedSchema = 1000;

[[noreturn]] void fail(sqlite3* db, std::string_view doing) {
    std::string detail = db ? sqlite3_errmsg(db) : "out of memory";
    int code = db ? sqlite3_errcode(db) : SQLITE_NOMEM;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
        throw Error::temporary(
            "The state database is busy (another ri process holds it). Try again.",
            fmt::format("{}: {}", doing, detail));
    }
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
        throw Error::bad_data("The state database is damaged.",
                              fmt::format("{}: {}", doing, detail));
    }
    throw Error::io("The state database could not be used.", fmt::format("{}: {}", doing, detail));
}

}  // namespace

const SchemaPart& core_schema() {
    static const SchemaPart part{
        "core",
        {{1, "settings cache and per-tool metadata",
          "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"}}};
    return part;
}

fs::path StateStore::default_path() {
    return paths::state_dir() / "state.db";
}

StateStore StateStore::open(const fs::path& path, const std::vector<SchemaPart>& parts) {
    paths::ensure_private_dir(path.parent_path());
    // Create the file ourselves so it is 0600 from its first byte, whatever the umask.
    File(File::open_rw(path.string(), 0600)).close();
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        std::string detail = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw Error::io("The state database could not be opened.", detail);
    }
    StateStore store(db, path);
    sqlite3_busy_timeout(db, 10000);
    store.exec("PRAGMA journal_mode=WAL;");
    store.exec("PRAGMA synchronous=NORMAL;");
    store.exec("PRAGMA foreign_keys=ON;");
    store.adopt_legacy_version(parts);
    for (const auto& part : parts)
        store.apply(part);
    return store;
}

StateStore StateStore::open(const fs::path& path, const std::vector<Migration>& migrations) {
    return open(path, std::vector<SchemaPart>{{"main", migrations}});
}

StateStore::StateStore(StateStore&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), path_(std::move(o.path_)) {}

StateStore& StateStore::operator=(StateStore&& o) noexcept {
    if (this != &o) {
        if (db_) sqlite3_close_v2(db_);
        db_ = std::exchange(o.db_, nullptr);
        path_ = std::move(o.path_);
    }
    return *this;
}

StateStore::~StateStore() {
    if (db_) sqlite3_close_v2(db_);
}

void StateStore::exec(std::string_view sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        sqlite3_free(err);
        fail(db_, fmt::format("executing {:.60}", sql));
    }
}

Statement StateStore::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
        SQLITE_OK) {
        fail(db_, fmt::format("preparing {:.60}", sql));
    }
    return Statement(db_, stmt);
}

void StateStore::transaction(const std::function<void()>& fn) {
    exec("BEGIN IMMEDIATE;");
    try {
        fn();
        exec("COMMIT;");
    } catch (...) {
        sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
        throw;
    }
}

int StateStore::schema_version(std::string_view layer) const {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, "SELECT version FROM schema_versions WHERE layer = ?", -1, &stmt,
                       nullptr);
    int v = 0;
    if (stmt) {
        sqlite3_bind_text(stmt, 1, layer.data(), static_cast<int>(layer.size()), SQLITE_TRANSIENT);
        if (sqlite3_step(stmt) == SQLITE_ROW) v = sqlite3_column_int(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return v;
}

std::string StateStore::journal_mode() const {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, "PRAGMA journal_mode;", -1, &stmt, nullptr);
    std::string mode;
    if (stmt && sqlite3_step(stmt) == SQLITE_ROW)
        mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return mode;
}

// Before parts were versioned on their own, one PRAGMA user_version counted every migration of
// ri's single list: 1 core's meta, 2 the transfer resume tables, 3 platform uploads (a part
// named "main" had the whole count). Such a database is given the versions it really has.
// user_version is then set past any old count, so an old ri refuses this database instead of
// misreading it.
void StateStore::adopt_legacy_version(const std::vector<SchemaPart>& parts) {
    transaction([&] {
        exec(
            "CREATE TABLE IF NOT EXISTS schema_versions (layer TEXT PRIMARY KEY, "
            "version INTEGER NOT NULL);");
        int64_t legacy = 0;
        {
            auto q = prepare("PRAGMA user_version;");
            if (q.step()) legacy = q.column_int(0);
        }
        if (legacy == 0 || legacy >= kVersionedSchema) return;
        auto set = [&](std::string_view layer, int64_t version) {
            if (version > 0)
                prepare("INSERT OR REPLACE INTO schema_versions VALUES (?, ?)")
                    .bind(1, layer)
                    .bind(2, version)
                    .run();
        };
        bool main = !parts.empty() && parts.front().layer == "main";
        if (main) {
            set("main", legacy);
        } else {
            set("core", std::min<int64_t>(legacy, 1));
            set("transfer", std::max<int64_t>(legacy - 1, 0));
        }
        exec(fmt::format("PRAGMA user_version={};", kVersionedSchema));
    });
}

void StateStore::apply(const SchemaPart& part) {
    int newest = part.migrations.empty() ? 0 : part.migrations.back().version;
    int current = schema_version(part.layer);
    if (current > newest) {
        throw Error::config(fmt::format(
            "The state database {} was written by a newer ri ({} schema {}, this ri knows {}). "
            "Upgrade ri, or move the file away to start fresh.",
            path_.string(), part.layer, current, newest));
    }
    for (const auto& m : part.migrations) {
        if (m.version <= current) continue;
        transaction([&] {
            // Re-check inside the write lock: another process may have migrated meanwhile.
            if (schema_version(part.layer) >= m.version) return;
            exec(m.sql);
            prepare("INSERT OR REPLACE INTO schema_versions VALUES (?, ?)")
                .bind(1, part.layer)
                .bind(2, int64_t{m.version})
                .run();
            exec(fmt::format("PRAGMA user_version={};", kVersionedSchema));
        });
    }
}

Statement::Statement(Statement&& o) noexcept : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)) {}

Statement::~Statement() {
    if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
    if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                          SQLITE_TRANSIENT) != SQLITE_OK) {
        fail(db_, "binding");
    }
    return *this;
}

Statement& Statement::bind(int index, int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, "binding");
    return *this;
}

Statement& Statement::bind_null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_, "binding");
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, "stepping");
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

int64_t Statement::column_int(int col) const {
    return sqlite3_column_int64(stmt_, col);
}

std::string Statement::column_text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : "";
}

bool Statement::column_is_null(int col) const {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

}  // namespace ri
