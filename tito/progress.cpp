// progress.cpp — read, validate and update .tito/progress.json.
#include "progress.hpp"

#include <fmt/format.h>

#include "file_lock.hpp"
#include "files.hpp"

namespace tito {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

// ---------------------------------------------------------------------------
// JSON <-> Progress, every field checked
// ---------------------------------------------------------------------------

namespace {

constexpr double kLockTimeoutSeconds = 30;

[[noreturn]] void malformed(const std::string& path, const std::string& what) {
    throw Error(fmt::format("{} {}", path, what));
}

const json& object_field(const json& parent, const char* key, const std::string& path) {
    const json& value = parent.at(key);
    if (!value.is_object()) malformed(path + "." + key, "is not an object");
    return value;
}

std::string string_field(const json& parent, const char* key, const std::string& path) {
    if (!parent.contains(key)) return "";
    const json& value = parent.at(key);
    if (!value.is_string()) malformed(path + "." + key, "is not a string");
    return value.get<std::string>();
}

std::optional<int> count_field(const json& parent, const char* key, const std::string& path) {
    if (!parent.contains(key)) return std::nullopt;
    const json& value = parent.at(key);
    if (!value.is_number_integer() || value.get<long long>() < 0 || value.get<long long>() > 1'000'000'000)
        malformed(path + "." + key, "is not a count");
    return value.get<int>();
}

bool bool_field(const json& parent, const char* key, const std::string& path, bool absent) {
    if (!parent.contains(key)) return absent;
    const json& value = parent.at(key);
    if (!value.is_boolean()) malformed(path + "." + key, "is not true or false");
    return value.get<bool>();
}

// "completed" -> true, `other` -> false, anything else is malformed.
bool state_field(const json& parent, const std::string& path, const char* other) {
    const std::string state = string_field(parent, "state", path);
    if (state == "completed") return true;
    if (state == other) return false;
    malformed(path + ".state", fmt::format("is \"{}\", not \"completed\" or \"{}\"", state, other));
}

json results_field(const json& parent, const char* key, const std::string& path) {
    if (!parent.contains(key)) return json::object();
    return object_field(parent, key, path);
}

ModuleProgress parse_module(const json& entry, const std::string& path) {
    if (!entry.is_object()) malformed(path, "is not an object");
    ModuleProgress m;
    m.completed = state_field(entry, path, "incomplete");
    m.last_run = string_field(entry, "last_run", path);
    m.compiled = bool_field(entry, "compiled", path, true);
    m.crashed = bool_field(entry, "crashed", path, false);
    m.tests_passed = count_field(entry, "tests_passed", path);
    m.tests_total = count_field(entry, "tests_total", path);
    m.completed_at = string_field(entry, "completed_at", path);
    m.files_sha256 = string_field(entry, "files_sha256", path);
    if (m.tests_passed.has_value() != m.tests_total.has_value() ||
        (m.tests_passed && *m.tests_passed > *m.tests_total))
        malformed(path, "has inconsistent tests_passed and tests_total");
    if (m.completed && m.files_sha256.empty()) malformed(path, "is completed but has no files_sha256");
    return m;
}

MilestoneProgress parse_milestone(const json& entry, const std::string& path) {
    if (!entry.is_object()) malformed(path, "is not an object");
    MilestoneProgress m;
    m.completed = state_field(entry, path, "in_progress");
    if (!entry.contains("parts")) return m;
    for (const auto& [key, part] : object_field(entry, "parts", path).items()) {
        const std::string at = path + ".parts." + key;
        if (key.empty() || key.find_first_not_of("0123456789") != std::string::npos || key.size() > 3)
            malformed(at, "is not a part number");
        if (!part.is_object()) malformed(at, "is not an object");
        MilestonePartProgress p;
        p.completed = state_field(part, at, "failed");
        p.last_run = string_field(part, "last_run", at);
        p.last_run_passed = bool_field(part, "last_run_passed", at, p.completed);
        p.last_results = results_field(part, "last_results", at);
        p.completed_at = string_field(part, "completed_at", at);
        p.results = results_field(part, "results", at);
        m.parts[std::stoi(key)] = std::move(p);
    }
    return m;
}

}  // namespace

const ModuleProgress* Progress::module(const std::string& number) const {
    const auto it = modules.find(number);
    return it == modules.end() ? nullptr : &it->second;
}

bool Progress::module_completed(const std::string& number) const {
    const ModuleProgress* m = module(number);
    return m != nullptr && m->completed;
}

ordered_json progress_to_json(const Progress& progress) {
    ordered_json modules = ordered_json::object();
    for (const auto& [number, m] : progress.modules) {
        ordered_json entry = {{"state", m.completed ? "completed" : "incomplete"}};
        if (!m.last_run.empty()) entry["last_run"] = m.last_run;
        if (!m.compiled) entry["compiled"] = false;
        if (m.crashed) entry["crashed"] = true;
        if (m.tests_passed) {
            entry["tests_passed"] = *m.tests_passed;
            entry["tests_total"] = *m.tests_total;
        }
        if (m.completed) {
            entry["completed_at"] = m.completed_at;
            entry["files_sha256"] = m.files_sha256;
        }
        modules[number] = std::move(entry);
    }
    ordered_json milestones = ordered_json::object();
    for (const auto& [number, m] : progress.milestones) {
        ordered_json parts = ordered_json::object();
        for (const auto& [part, p] : m.parts) {
            ordered_json entry = {{"state", p.completed ? "completed" : "failed"},
                          {"last_run", p.last_run},
                          {"last_run_passed", p.last_run_passed},
                          {"last_results", p.last_results}};
            if (p.completed) {
                entry["completed_at"] = p.completed_at;
                entry["results"] = p.results;
            }
            parts[std::to_string(part)] = std::move(entry);
        }
        milestones[number] = {{"state", m.completed ? "completed" : "in_progress"}, {"parts", parts}};
    }
    return {{"schema_version", kProgressSchemaVersion}, {"modules", modules}, {"milestones", milestones}};
}

Progress progress_from_json(const json& doc) {
    if (!doc.is_object()) throw Error("the top level is not a JSON object");
    if (!doc.contains("schema_version") || !doc["schema_version"].is_number_integer())
        throw Error("it has no schema_version");
    const int version = doc["schema_version"].get<int>();
    if (version < kProgressSchemaVersion)
        throw Error(fmt::format("it has schema version {}, older than the version {} this tito "
                                "reads, and no migration from it exists",
                                version, kProgressSchemaVersion));
    if (version > kProgressSchemaVersion)
        throw Error(fmt::format("it has schema version {}, written by a newer tito than this one "
                                "(which reads version {}); update this workspace's tito",
                                version, kProgressSchemaVersion));
    Progress progress;
    if (doc.contains("modules"))
        for (const auto& [number, entry] : object_field(doc, "modules", "progress").items())
            progress.modules[number] = parse_module(entry, "modules." + number);
    if (doc.contains("milestones"))
        for (const auto& [number, entry] : object_field(doc, "milestones", "progress").items())
            progress.milestones[number] = parse_milestone(entry, "milestones." + number);
    return progress;
}

// ---------------------------------------------------------------------------
// The store: reading, the lock, atomic writes with a backup
// ---------------------------------------------------------------------------

namespace {

// Reads and parses `file`; throws tito::Error saying why it cannot be used.
Progress read_progress_file(const fs::path& file) {
    const std::string text = read_file(file);
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        throw Error(fmt::format("it is not valid JSON ({})", e.what()));
    }
    return progress_from_json(doc);
}

}  // namespace

ProgressStore::ProgressStore(fs::path state_dir) : file_(std::move(state_dir) / "progress.json") {}

fs::path ProgressStore::backup() const { return file_.string() + ".bak"; }
fs::path ProgressStore::lock_file() const { return file_.parent_path() / "progress.lock"; }

std::optional<std::string> ProgressStore::problem() const {
    if (!fs::exists(file_)) return std::nullopt;
    try {
        read_progress_file(file_);
        return std::nullopt;
    } catch (const Error& e) {
        return std::string(e.what());
    }
}

std::optional<std::string> ProgressStore::backup_problem() const {
    if (!fs::exists(backup())) return std::nullopt;
    try {
        read_progress_file(backup());
        return std::nullopt;
    } catch (const Error& e) {
        return std::string(e.what());
    }
}

Progress ProgressStore::load() const {
    std::error_code ec;
    if (!fs::exists(file_, ec) && !ec) return {};
    try {
        return read_progress_file(file_);
    } catch (const Error& e) {
        std::string backup_note;
        if (!fs::exists(backup())) {
            backup_note = fmt::format("There is no backup ({} does not exist), so", backup().string());
        } else if (const auto bad = backup_problem()) {
            backup_note = fmt::format("The backup {} is unusable too ({}), so", backup().string(), *bad);
        } else {
            backup_note = fmt::format(
                "Either restore the previous version, kept in {}:\n    cp {} {}\nor", backup().string(),
                backup().string(), file_.string());
        }
        throw ProgressError(fmt::format(
            "the progress file {} cannot be used: {}.\ntito has not changed it. {} move it away to "
            "start fresh:\n    mv {} {}.broken\nthen run `tito module test NN` for each module you "
            "had completed: passing tests mark it completed again.",
            file_.string(), e.what(), backup_note, file_.string(), file_.string()));
    }
}

Progress ProgressStore::update(const std::function<void(Progress&)>& change) const {
    const FileLock lock(lock_file(), kLockTimeoutSeconds);
    Progress progress = load();  // again, under the lock: another tito may just have written
    change(progress);
    if (fs::exists(file_)) copy_file_atomically(file_, backup());
    write_file_atomically(file_, progress_to_json(progress).dump(2) + "\n");
    return progress;
}

}  // namespace tito
