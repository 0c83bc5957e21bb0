// What tools take as input, the same way in each: positional arguments, or records on stdin
// (JSON lines of another tool, or bare ids and paths), and the confirmation of destructive
// commands.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/input.hpp"

namespace ri::cli {

// An id and the stdin record it came from (null for an argument).
struct IdInput {
    std::string id;
    Json record;
};

// Ids from the arguments, else from stdin: a bare id per line, or records of one of `kinds`
// (their "id"; a record without "kind" too). A record of another kind, or without an id, is
// Error::bad_data naming the line.
// required: no ids at all is Error::usage.
std::vector<IdInput> collect_ids(const std::vector<std::string>& args,
                                 const std::vector<std::string>& kinds, bool required = true);
std::vector<std::string> ids_of(const std::vector<IdInput>& inputs);

// Each path from the arguments, else from stdin one record (or bare path) at a time as it
// arrives, so a pipeline moves on while later lines are still being produced: the first of
// `fields` a record has. A record with none is Error::bad_data naming the line; no input at all
// is Error::usage.
void for_each_input(const std::vector<std::string>& positional,
                    const std::vector<std::string>& fields,
                    const std::function<void(const std::string&)>& fn);

// Paths from the arguments, else the "path" field (or the first of `fields` present) of each
// stdin record. Throws usage when there is no input at all.
std::vector<std::string> collect_inputs(const std::vector<std::string>& positional,
                                        const std::vector<std::string>& fields = {"path"});

// Destructive commands ask "WHAT? [y/N]" on a terminal; without one (ids piped in, cron) they
// need yes (--yes). Throws Error::usage when refused or not confirmed.
void confirm_destructive(bool yes, const std::string& what);

}  // namespace ri::cli
