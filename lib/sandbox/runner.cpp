// The job runner: one thread advances submitted jobs through Pending -> Queued -> Started ->
// Validated -> Executing every --step-seconds; at Executing a worker runs the job (execute: the
// command under /bin/sh in a scratch directory; simulate: configured outputs), stores the outputs
// and ends the job Completed, Failed or Stopped. Progress is derived from the stored statuses and
// their times, so a restarted sandbox carries on (a job caught Executing runs again).
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "archive/archive_extractor.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "crypto/random.hpp"
#include "sandbox/sandbox_impl.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace ri::sandbox {

std::vector<JobRow> load_jobs(StateStore& db, const std::string& where,
                              const std::vector<std::string>& args);

namespace {

bool is_archive(const std::string& name) {
    for (const char* ext : {".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar.zst"})
        if (name.size() > std::strlen(ext) &&
            name.compare(name.size() - std::strlen(ext), std::string::npos, ext) == 0)
            return true;
    return false;
}

std::set<std::string> files_under(const fs::path& root) {
    std::set<std::string> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file()) out.insert(fs::relative(it->path(), root).string());
    return out;
}

const std::map<std::string, std::string> kNext = {{"Pending", "Queued"},
                                                  {"Queued", "Started"},
                                                  {"Started", "Validated"},
                                                  {"Validated", "Executing"}};

}  // namespace

std::string Server::Impl::scratch_dir(const std::string& job_id) const {
    return (fs::path(opt.data_dir) / "scratch" / job_id).string();
}

void Server::Impl::start_runner() {
    runner = std::thread([this] {
        while (!stopping) {
            try {
                tick();
            } catch (const std::exception& e) {
                log::error("sandbox runner: {}", e.what());
            }
            std::unique_lock lock(run_mu);
            run_cv.wait_for(lock, std::chrono::milliseconds(100),
                            [this] { return stopping.load(); });
        }
    });
}

void Server::Impl::stop_runner() {
    if (stopping.exchange(true)) return;
    run_cv.notify_all();
    md5_cv.notify_all();
    if (runner.joinable()) runner.join();
    if (md5_worker.joinable()) md5_worker.join();
    {
        std::lock_guard lock(run_mu);
        for (const auto& [id, pid] : running)
            if (pid > 0) ::kill(-pid, SIGTERM);
    }
    for (auto& [id, w] : workers)
        if (w.joinable()) w.join();
    workers.clear();
}

void Server::Impl::tick() {
    {
        std::set<std::string> done;
        {
            std::lock_guard lock(run_mu);
            done.swap(finished_workers);
        }
        for (const auto& id : done) {
            auto it = workers.find(id);
            if (it == workers.end()) continue;
            it->second.join();
            workers.erase(it);
        }
    }
    std::vector<JobRow> jobs;
    {
        std::lock_guard dbl(db_mu);
        jobs = load_jobs(
            *db,
            "submitted = 1 AND status NOT IN ('Completed','Failed','Stopped','Force Stopped',"
            "'Terminated','')",
            {});
    }
    for (auto& listed : jobs) {
        // Decide on the job's current state, holding the database: a worker records its final
        // status (under the same lock) before it leaves `running`, so the two agree here.
        std::lock_guard dbl(db_mu);
        auto fresh = find_job("", listed.id);
        if (!fresh || !fresh->submitted || fresh->status.empty()) continue;
        JobRow& j = *fresh;
        bool due = now_epoch() - j.status_epoch >= opt.step_seconds;
        int pid = -1;
        {
            std::lock_guard lock(run_mu);
            auto it = running.find(j.id);
            if (it != running.end()) pid = it->second;
        }
        auto next = kNext.find(j.status);
        if (next != kNext.end()) {
            if (due) add_status(j.id, next->second, "");
        } else if (j.status == "Executing") {
            if (pid < 0) {
                const User* u = user_by_id(j.owner);
                if (!u) continue;
                User user = *u;
                {
                    std::lock_guard lock(run_mu);
                    running[j.id] = 0;
                }
                auto previous = workers.find(j.id);
                if (previous != workers.end()) {  // an earlier run of the job (admin moved it back)
                    previous->second.join();
                    workers.erase(previous);
                }
                JobRow job = j;
                workers[j.id] = std::thread([this, job, user] {
                    if (opt.jobs == "execute")
                        execute(job, user);
                    else
                        simulate(job, user);
                    std::lock_guard done(run_mu);
                    finished_workers.insert(job.id);
                });
            }
        } else if (j.status == "Stopping") {
            if (pid > 0) {
                ::kill(-pid, SIGTERM);
            } else if (pid < 0 && due) {
                add_status(j.id, "Stopped", "Stopped by the user");
            }
        }
    }
}

void Server::Impl::execute(JobRow job, User user) {
    std::string scratch = scratch_dir(job.id);
    auto finish = [&](const std::string& status, const std::string& reason) {
        if (stopping) return;  // the sandbox is shutting down: the job resumes at the next start
        std::lock_guard dbl(db_mu);
        auto now = find_job("", job.id);
        if (now && now->status == "Stopping")
            add_status(job.id, "Stopped", "Stopped by the user");
        else if (now)
            add_status(job.id, status, reason);
        std::lock_guard lock(run_mu);
        running.erase(job.id);
    };
    std::error_code ec;
    fs::remove_all(scratch, ec);
    fs::create_directories(scratch, ec);
    std::set<std::string> inputs;
    try {
        for (const auto& ja : job.doc["jobanalyses"]) {
            for (const auto& in : ja["inputFiles"]) {
                auto f = find_file(user.id, in["id"]);
                if (!f)
                    throw std::runtime_error(
                        fmt::format("input file {} no longer exists", in["id"].get<std::string>()));
                fs::path dest = fs::path(scratch) / fs::path(f->name).filename();
                fs::copy_file(plaintext_cache(*f), dest, fs::copy_options::overwrite_existing);
                if (in.value("decompress", false) && is_archive(f->name)) {
                    Progress quiet(ProgressMode::none);
                    archive::extract_archive(dest.string(), scratch, quiet,
                                             [](std::string_view) {});
                    fs::remove(dest);
                }
            }
        }
        inputs = files_under(scratch);
    } catch (const std::exception& e) {
        log::warn("sandbox job {}: staging failed: {}", job.id, e.what());
        return finish("Failed", std::string("Input files could not be staged: ") + e.what());
    }

    int exit_status = 0;
    for (const auto& ja : job.doc["jobanalyses"]) {
        std::vector<std::string> env_strings;
        // The job sees the sandbox's environment minus its storage credentials and API keys.
        for (char** e = environ; *e; ++e) {
            std::string_view var(*e);
            if (var.starts_with("AWS_") || var.starts_with("AZURE_STORAGE_") ||
                var.starts_with("RESCALE_API_KEY=") || var.starts_with("RI_SANDBOX_KEY"))
                continue;
            env_strings.emplace_back(var);
        }
        env_strings.push_back("RESCALE_JOB_ID=" + job.id);
        env_strings.push_back(
            fmt::format("RESCALE_CORES_PER_SLOT={}", ja["hardware"].value("coresPerSlot", 1)));
        for (auto& [k, v] : ja["envVars"].items())
            env_strings.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
        std::vector<char*> envp;
        for (auto& s : env_strings)
            envp.push_back(s.data());
        envp.push_back(nullptr);
        std::string command = ja.value("command", "");
        std::string log_path = scratch + "/process_output.log";
        int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        const char* argv[] = {"sh", "-c", command.c_str(), nullptr};
        pid_t pid = ::fork();
        if (pid == 0) {
            ::setpgid(0, 0);
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            if (::chdir(scratch.c_str()) != 0) ::_exit(126);
            ::dup2(null_fd, 0);
            ::dup2(log_fd, 1);
            ::dup2(log_fd, 2);
            // Nothing of the server (listening socket, client connections, the database) leaks
            // into the job, and SIGPIPE is back to its default (the server ignores it).
            ::close_range(3, ~0U, 0);
            ::signal(SIGPIPE, SIG_DFL);
            ::execve("/bin/sh", const_cast<char* const*>(argv), envp.data());
            ::_exit(127);
        }
        ::close(log_fd);
        ::close(null_fd);
        if (pid < 0) return finish("Failed", "The command could not be started.");
        {
            std::lock_guard lock(run_mu);
            running[job.id] = pid;
        }
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        {
            std::lock_guard lock(run_mu);
            running[job.id] = 0;
        }
        if (stopping) {
            std::lock_guard lock(run_mu);
            running.erase(job.id);
            return;
        }
        exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (exit_status != 0) break;
    }
    try {
        store_outputs(job, user, scratch, inputs);
        for (const auto& rel : inputs)
            fs::remove(fs::path(scratch) / rel, ec);
    } catch (const std::exception& e) {
        log::warn("sandbox job {}: storing outputs failed: {}", job.id, e.what());
        return finish("Failed", std::string("Output files could not be stored: ") + e.what());
    }
    if (exit_status == 0)
        finish("Completed", "Completed successfully");
    else
        finish("Failed", fmt::format("The command exited with status {}.", exit_status));
}

void Server::Impl::simulate(JobRow job, User user) {
    std::string scratch = scratch_dir(job.id);
    std::error_code ec;
    fs::remove_all(scratch, ec);
    fs::create_directories(scratch, ec);
    // Runs for one step, with a growing process_output.log for tail.
    {
        std::ofstream log(scratch + "/process_output.log");
        log << "ri-sandbox: simulated run of job " << job.id << "\n";
        for (const auto& ja : job.doc["jobanalyses"])
            log << "$ " << ja.value("command", "") << "\n";
        log.flush();
    }
    auto until = now_epoch() + opt.step_seconds;
    while (!stopping && now_epoch() < until) {
        auto j = find_job("", job.id);
        if (!j || j->status == "Stopping") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (stopping) {
        std::lock_guard lock(run_mu);
        running.erase(job.id);
        return;
    }
    Json outs = simulate_outputs.is_object() && simulate_outputs.contains("outputs")
                    ? simulate_outputs["outputs"]
                    : Json::array({{{"name", "results/output.dat"}, {"size", 1024}}});
    int exit_code = simulate_outputs.is_object() ? simulate_outputs.value("exitCode", 0) : 0;
    std::string error;
    try {
        for (const auto& o : outs) {
            std::string rel = o.value("name", "output.dat");
            if (rel.find("..") != std::string::npos || rel.empty() || rel[0] == '/') continue;
            fs::path p = fs::path(scratch) / rel;
            fs::create_directories(p.parent_path());
            std::ofstream f(p, std::ios::binary);
            if (o.contains("content")) {
                f << o["content"].get<std::string>();
            } else {
                uint64_t size = o.value("size", uint64_t{0});
                std::vector<std::byte> buf(64 * 1024);
                while (size > 0) {
                    size_t n = std::min<uint64_t>(size, buf.size());
                    crypto::random_bytes(std::span(buf.data(), n));
                    f.write(reinterpret_cast<const char*>(buf.data()),
                            static_cast<std::streamsize>(n));
                    size -= n;
                }
            }
        }
        {
            std::ofstream log(scratch + "/process_output.log", std::ios::app);
            log << "ri-sandbox: simulated command finished with status " << exit_code << "\n";
        }
        store_outputs(job, user, scratch, {});
    } catch (const std::exception& e) {
        error = e.what();
    }
    std::lock_guard dbl(db_mu);
    auto now = find_job("", job.id);
    if (now && now->status == "Stopping")
        add_status(job.id, "Stopped", "Stopped by the user");
    else if (now && !error.empty())
        add_status(job.id, "Failed", "Output files could not be stored: " + error);
    else if (now)
        add_status(job.id, exit_code == 0 ? "Completed" : "Failed",
                   exit_code == 0 ? "Completed successfully"
                                  : fmt::format("The command exited with status {}.", exit_code));
    std::lock_guard lock(run_mu);
    running.erase(job.id);
}

void Server::Impl::store_outputs(const JobRow& job, const User& user, const std::string& scratch,
                                 const std::set<std::string>& inputs) {
    for (const auto& f : files_where("job_id = ?1", {job.id}))
        delete_file_row(f, true);
    for (const auto& rel : files_under(scratch)) {
        if (inputs.count(rel)) continue;
        fs::path p = fs::path(scratch) / rel;
        std::string key = fmt::format("{}/output/job_{}/run1/{}", user.path_base, job.id, rel);
        FileRow f = store_plaintext_file(user, p.string(), p.filename().string(), key, 5);
        f.job_id = job.id;
        f.doc["relativePath"] = rel;
        save_file(f);
    }
}

}  // namespace ri::sandbox
