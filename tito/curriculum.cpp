// curriculum.cpp — load and validate curriculum.json.
#include "curriculum.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "errors.hpp"

namespace tito {

namespace {

using nlohmann::json;

// Reads field `key` of `object`, or throws naming where it was expected.
template <class T>
T field(const json& object, const char* key, const std::string& where) {
    if (!object.contains(key))
        throw Error(fmt::format("curriculum.json: {} has no \"{}\"", where, key));
    try {
        return object.at(key).get<T>();
    } catch (const json::exception&) {
        throw Error(fmt::format("curriculum.json: {}.{} has the wrong type", where, key));
    }
}

Module parse_module(const json& entry, size_t index) {
    const std::string where = fmt::format("modules[{}]", index);
    Module m;
    m.number = field<std::string>(entry, "number", where);
    m.name = field<std::string>(entry, "name", where);
    m.title = field<std::string>(entry, "title", where);
    m.files = field<std::vector<std::string>>(entry, "files", where);
    m.prerequisites = field<std::vector<std::string>>(entry, "requires", where);
    m.points = field<double>(entry, "points", where);
    if (m.files.empty()) throw Error(fmt::format("curriculum.json: {} lists no files", where));
    return m;
}

Gate parse_gate(const json& entry, const std::string& where) {
    Gate gate;
    gate.metric = field<std::string>(entry, "metric", where);
    const bool at_least = entry.contains("at_least"), above = entry.contains("above");
    if (at_least == above)
        throw Error(fmt::format("curriculum.json: {} needs exactly one of \"at_least\" and \"above\"", where));
    gate.strict = above;
    gate.threshold = field<double>(entry, above ? "above" : "at_least", where);
    if (entry.contains("dataset")) gate.dataset = field<std::string>(entry, "dataset", where);
    return gate;
}

Milestone parse_milestone(const json& entry, size_t index) {
    const std::string where = fmt::format("milestones[{}]", index);
    Milestone m;
    m.number = field<std::string>(entry, "number", where);
    m.name = field<std::string>(entry, "name", where);
    m.title = field<std::string>(entry, "title", where);
    m.prerequisites = field<std::vector<std::string>>(entry, "requires", where);
    const auto programs = field<json>(entry, "programs", where);
    for (size_t i = 0; i < programs.size(); ++i) {
        const std::string at = fmt::format("{}.programs[{}]", where, i);
        MilestoneProgram p;
        p.part = field<int>(programs[i], "part", at);
        p.name = field<std::string>(programs[i], "name", at);
        p.title = field<std::string>(programs[i], "title", at);
        const auto gates = field<json>(programs[i], "gates", at);
        if (!gates.is_array() || gates.empty())
            throw Error(fmt::format("curriculum.json: {}.gates must be a non-empty list", at));
        for (size_t g = 0; g < gates.size(); ++g) p.gates.push_back(parse_gate(gates[g], fmt::format("{}.gates[{}]", at, g)));
        m.programs.push_back(p);
    }
    return m;
}

}  // namespace

std::string Gate::describe() const {
    return fmt::format("{} {} {}{}", metric, strict ? ">" : ">=", threshold,
                       dataset.empty() ? "" : " on " + dataset);
}

const MilestoneProgram& Milestone::part(int wanted) const {
    for (const MilestoneProgram& p : programs)
        if (p.part == wanted) return p;
    std::vector<int> valid;
    for (const MilestoneProgram& p : programs) valid.push_back(p.part);
    throw UsageError(fmt::format("milestone {} has no part {}; its parts are {}", number, wanted,
                                 fmt::join(valid, ", ")));
}

std::string normalize_number(const std::string& number) {
    if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos) return number;
    return fmt::format("{:02d}", std::stoi(number));
}

const Module& Curriculum::module(const std::string& number) const {
    const std::string wanted = normalize_number(number);
    for (const Module& m : modules)
        if (m.number == wanted || m.name == number) return m;
    std::vector<std::string> valid;
    for (const Module& m : modules) valid.push_back(m.number);
    throw UsageError(fmt::format("there is no module {}; the modules are {}", number,
                                 fmt::join(valid, ", ")));
}

const Milestone& Curriculum::milestone(const std::string& number) const {
    const std::string wanted = normalize_number(number);
    for (const Milestone& m : milestones)
        if (m.number == wanted) return m;
    std::vector<std::string> valid;
    for (const Milestone& m : milestones) valid.push_back(m.number);
    throw UsageError(fmt::format("there is no milestone {}; the milestones are {}", number,
                                 fmt::join(valid, ", ")));
}

Curriculum load_curriculum(const std::filesystem::path& manifest_path) {
    std::ifstream in(manifest_path);
    if (!in) throw Error(fmt::format("cannot read the manifest {}", manifest_path.string()));
    json doc;
    try {
        doc = json::parse(in);
    } catch (const json::parse_error& e) {
        throw Error(fmt::format("{} is not valid JSON: {}", manifest_path.string(), e.what()));
    }
    Curriculum c;
    c.schema_version = field<int>(doc, "schema_version", "the top level");
    if (c.schema_version != 1)
        throw Error(fmt::format("{}: schema_version {} is not supported (this tito reads 1)",
                                manifest_path.string(), c.schema_version));
    c.course = field<std::string>(doc, "course", "the top level");
    const auto modules = field<json>(doc, "modules", "the top level");
    std::set<std::string> seen;
    for (size_t i = 0; i < modules.size(); ++i) {
        Module m = parse_module(modules[i], i);
        if (!seen.insert(m.number).second)
            throw Error(fmt::format("curriculum.json: module {} is listed twice", m.number));
        for (const std::string& r : m.prerequisites)
            if (!seen.count(r) || r == m.number)
                throw Error(fmt::format(
                    "curriculum.json: module {} requires {}, which is not an earlier module",
                    m.number, r));
        c.modules.push_back(std::move(m));
    }
    const auto milestones = field<json>(doc, "milestones", "the top level");
    for (size_t i = 0; i < milestones.size(); ++i) c.milestones.push_back(parse_milestone(milestones[i], i));
    if (doc.contains("release"))
        c.release_exclude = field<std::vector<std::string>>(doc["release"], "exclude", "release");
    return c;
}

}  // namespace tito
