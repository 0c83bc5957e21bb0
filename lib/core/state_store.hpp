// The per-user state database ($XDG_STATE_HOME/ri/state.db): SQLite in WAL mode so that several
// ri processes and the dashboard read and write the same truth. Mode 0600 (it will hold resume
// state with key material). Schema changes are numbered migrations applied in one transaction
// each; a database newer than this binary is refused rather than damaged.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace ri {

struct Migration {
    int version;
    std::string description;
    std::string sql;
};

// The migrations of ri's whole schema, in order: one list for every layer, so that every tool
// agrees on the version. A layer that needs tables adds its migration at the end.
const std::vector<Migration>& state_migrations();

class Statement;

class StateStore {
  public:
    // Opens (creating with mode 0600) and migrates. busy_timeout covers concurrent writers.
    static StateStore open(const std::filesystem::path& path,
                           const std::vector<Migration>& migrations = state_migrations());
    static std::filesystem::path default_path();

    StateStore(StateStore&&) noexcept;
    StateStore& operator=(StateStore&&) noexcept;
    ~StateStore();

    int schema_version() const;
    void exec(std::string_view sql);
    Statement prepare(std::string_view sql);
    // Runs fn inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK on exception).
    void transaction(const std::function<void()>& fn);
    std::string journal_mode() const;
    sqlite3* handle() const { return db_; }

  private:
    explicit StateStore(sqlite3* db, std::filesystem::path path)
        : db_(db), path_(std::move(path)) {}
    void migrate(const std::vector<Migration>& migrations);

    sqlite3* db_ = nullptr;
    std::filesystem::path path_;
};

// A prepared statement with positional binding (1-based) and row stepping.
class Statement {
  public:
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    Statement(Statement&&) noexcept;
    Statement& operator=(Statement&&) = delete;
    ~Statement();

    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, int64_t value);
    Statement& bind_null(int index);
    // True while there is a row; false when done.
    bool step();
    void run() {
        while (step()) {
        }
    }
    void reset();
    int64_t column_int(int col) const;
    std::string column_text(int col) const;
    bool column_is_null(int col) const;

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
};

}  // namespace ri
