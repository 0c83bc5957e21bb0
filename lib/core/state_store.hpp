// The per-user state database ($XDG_STATE_HOME/ri/state.db): SQLite in WAL mode so that several
// ri processes and the dashboard read and write the same truth. Mode 0600 (it holds resume
// state with key material).
//
// Each layer owns its part of the schema (transfer its resume tables, storage its cost ledger,
// pur, watch and dash theirs): a SchemaPart of numbered migrations, versioned on its own in the
// table schema_versions. The store only opens the database and applies the parts it is given,
// in the order given (lowest layer first), each migration in one transaction. A part newer in
// the database than in this binary is refused rather than damaged; parts this binary does not
// know are left alone, so a tool built without the watcher still opens a database the watcher
// has written.
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

struct SchemaPart {
    std::string layer;  // "core", "transfer", ...: the key of its version
    std::vector<Migration> migrations;
};

// core's own part: the meta table (settings cache and per-tool metadata).
const SchemaPart& core_schema();

class Statement;

class StateStore {
  public:
    // Opens (creating with mode 0600) and applies the parts in order. busy_timeout covers
    // concurrent writers.
    static StateStore open(const std::filesystem::path& path, const std::vector<SchemaPart>& parts);
    // A database of one part named "main" (ri-sandbox's own database, tests).
    static StateStore open(const std::filesystem::path& path,
                           const std::vector<Migration>& migrations);
    static std::filesystem::path default_path();

    StateStore(StateStore&&) noexcept;
    StateStore& operator=(StateStore&&) noexcept;
    ~StateStore();

    // The version of a part in this database (0 when never applied).
    int schema_version(std::string_view layer = "main") const;
    void exec(std::string_view sql);
    Statement prepare(std::string_view sql);
    // Runs fn inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK on exception).
    void transaction(const std::function<void()>& fn);
    std::string journal_mode() const;
    sqlite3* handle() const { return db_; }

  private:
    explicit StateStore(sqlite3* db, std::filesystem::path path)
        : db_(db), path_(std::move(path)) {}
    void adopt_legacy_version(const std::vector<SchemaPart>& parts);
    void apply(const SchemaPart& part);

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
