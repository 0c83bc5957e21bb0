#include "core/state_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "core/error.hpp"
#include "core/paths.hpp"

namespace ri {
namespace fs = std::filesystem;

namespace {

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

const std::vector<Migration>& state_migrations() {
    static const std::vector<Migration> m = {
        {1, "settings cache and per-tool metadata",
         "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"},
        // Transfer resume state (lib/transfer/transfer_state.hpp explains the keys).
        {2, "transfer resume state", R"sql(
CREATE TABLE uploads (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  dest TEXT NOT NULL,
  upload_id TEXT NOT NULL,
  part_size INTEGER NOT NULL,
  parts INTEGER NOT NULL,
  encrypted INTEGER NOT NULL DEFAULT 0,
  key_b64 TEXT NOT NULL DEFAULT '',
  iv_b64 TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (source, dest)
);
CREATE TABLE upload_parts (
  upload INTEGER NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  chain_iv TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (upload, number)
);
CREATE TABLE downloads (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  dest TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  part_size INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (source, dest)
);
CREATE TABLE download_parts (
  download INTEGER NOT NULL REFERENCES downloads(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  PRIMARY KEY (download, number)
);
)sql"},
        // Platform uploads (lib/transfer/platform_upload.hpp): the object key and file key chosen
        // for a (source, library folder, name), and how far it got, so a rerun continues the same
        // multipart upload and never registers a file twice.
        {3, "platform upload state", R"sql(
CREATE TABLE platform_uploads (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  target TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  object_key TEXT NOT NULL,
  key_b64 TEXT NOT NULL,
  stage TEXT NOT NULL,
  sha512 TEXT NOT NULL DEFAULT '',
  file_id TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  UNIQUE (source, target)
);
)sql"},
    };
    return m;
}

fs::path StateStore::default_path() {
    return paths::state_dir() / "state.db";
}

StateStore StateStore::open(const fs::path& path, const std::vector<Migration>& migrations) {
    paths::ensure_private_dir(path.parent_path());
    // Create the file ourselves so it is 0600 from its first byte, whatever the umask.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        throw file_error(FileRole::output, path.string(), errno, "opening the state database");
    ::fchmod(fd, 0600);
    ::close(fd);
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
    store.migrate(migrations);
    return store;
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

int StateStore::schema_version() const {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, "PRAGMA user_version;", -1, &stmt, nullptr);
    int v = 0;
    if (stmt && sqlite3_step(stmt) == SQLITE_ROW) v = sqlite3_column_int(stmt, 0);
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

void StateStore::migrate(const std::vector<Migration>& migrations) {
    int newest = migrations.empty() ? 0 : migrations.back().version;
    int current = schema_version();
    if (current > newest) {
        throw Error::config(fmt::format(
            "The state database {} was written by a newer ri (schema {}, this ri knows {}). "
            "Upgrade ri, or move the file away to start fresh.",
            path_.string(), current, newest));
    }
    for (const auto& m : migrations) {
        if (m.version <= current) continue;
        transaction([&] {
            // Re-check inside the write lock: another process may have migrated meanwhile.
            if (schema_version() >= m.version) return;
            exec(m.sql);
            exec(fmt::format("PRAGMA user_version={};", m.version));
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
