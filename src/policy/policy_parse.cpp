// SPDX-License-Identifier: GPL-2.0-or-later
// taskgov.json -> Policy. jansson checks the syntax (and rejects duplicate keys); this file
// checks the schema, value by value, so that every message can point at the offending value.
#include <fmt/format.h>
#include <jansson.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "policy/json_location.h"
#include "policy/json_reader.h"
#include "policy/policy.h"

namespace taskgov {

namespace {

// Bounds that keep every product in quota.cpp (count x node size, count x cluster total)
// far inside 64 bits, while staying above anything a real cluster has.
constexpr int64_t kMaxCount = 1000000;
constexpr int64_t kMaxCpus = 100000000;
constexpr Amount kMaxMemoryMib = Amount{1} << 40;  // 1 EiB
constexpr size_t kMaxClasses = 10;

const std::vector<Choice<Admission>> kAdmissions = {{"fcfs", Admission::Fcfs},
                                                    {"task-ranking", Admission::TaskRanking}};
const std::vector<Choice<IdleCompute>> kIdleCompute = {{"fair-share", IdleCompute::FairShare},
                                                       {"fcfs", IdleCompute::Fcfs}};
const std::vector<Choice<Mode>> kModes = {{"enforce", Mode::Enforce}, {"shadow", Mode::Shadow}};
const std::vector<Choice<UnmappedAccounts>> kUnmapped = {{"reject", UnmappedAccounts::Reject},
                                                         {"allow", UnmappedAccounts::Allow}};
const std::vector<Choice<PreemptMode>> kPreemptModes = {{"requeue", PreemptMode::Requeue},
                                                        {"cancel", PreemptMode::Cancel}};
const std::vector<Choice<Sharing>> kSharing = {{"lend", Sharing::Lend},
                                               {"dont-lend", Sharing::DontLend},
                                               {"lend-and-borrow", Sharing::LendAndBorrow}};
const std::vector<Choice<PreemptTeamTasks>> kPreemptTeamTasks = {
    {"lower-priority", PreemptTeamTasks::LowerPriority}, {"never", PreemptTeamTasks::Never}};

template <class E>
std::string_view spelling(const std::vector<Choice<E>>& choices, E value) {
  for (const Choice<E>& choice : choices) {
    if (choice.value == value) return choice.name;
  }
  return "?";  // unreachable while every enumerator has a spelling
}

class PolicyParser {
 public:
  PolicyParser(std::string_view text, const std::string& file) : reader_(text, file) {}

  bool policy(json_t* root, Policy* out) {
    if (!reader_.expect_object(root, "", "an object with \"cluster\" and \"teams\"") ||
        !reader_.only_keys(root, "", {"cluster", "teams"}) ||
        !reader_.require(root, "", "cluster", "\"cluster\": {\"priority_classes\": [...]}") ||
        !reader_.require(root, "", "teams", "\"teams\": [] (the list may be empty)") ||
        !cluster(json_object_get(root, "cluster"), "cluster", &out->cluster)) {
      return false;
    }
    json_t* teams = json_object_get(root, "teams");
    if (!reader_.expect_array(teams, "teams", "a list of teams")) return false;
    size_t index = 0;
    json_t* value = nullptr;
    json_array_foreach(teams, index, value) {
      out->teams.emplace_back();
      if (!team(value, json_path_element("teams", index), out->teams, &out->teams.back())) {
        return false;
      }
    }
    return true;
  }

  const PolicyError& error() const { return reader_.error(); }

 private:
  bool cluster(json_t* object, const std::string& path, ClusterSettings* out) {
    return reader_.expect_object(object, path, "an object of cluster settings") &&
           reader_.only_keys(object, path,
                             {"priority_classes", "admission", "idle_compute", "share_unassigned",
                              "mode", "unmapped_accounts", "proportional_defaults", "enforce_derived",
                              "preempt_mode", "cycle_seconds", "audit_log"}) &&
           reader_.require(object, path, "priority_classes",
                           "\"priority_classes\": [{\"name\": \"normal\", \"weight\": 50}]") &&
           priority_classes(json_object_get(object, "priority_classes"),
                            json_path_member(path, "priority_classes"), &out->priority_classes) &&
           reader_.read_choice(object, path, "admission", kAdmissions, &out->admission) &&
           reader_.read_choice(object, path, "idle_compute", kIdleCompute, &out->idle_compute) &&
           reader_.read_bool(object, path, "share_unassigned", &out->share_unassigned) &&
           reader_.read_choice(object, path, "mode", kModes, &out->mode) &&
           reader_.read_choice(object, path, "unmapped_accounts", kUnmapped,
                               &out->unmapped_accounts) &&
           reader_.read_bool(object, path, "proportional_defaults", &out->proportional_defaults) &&
           reader_.read_bool(object, path, "enforce_derived", &out->enforce_derived) &&
           reader_.read_choice(object, path, "preempt_mode", kPreemptModes, &out->preempt_mode) &&
           reader_.read_int(object, path, "cycle_seconds", 1, 300, &out->cycle_seconds) &&
           audit_log(object, path, &out->audit_log);
  }

  // slurmctld's working directory is not the admin's, so a relative path would surprise.
  bool audit_log(json_t* object, const std::string& parent, std::string* out) {
    json_t* value = json_object_get(object, "audit_log");
    if (value == nullptr) return true;
    std::string path = json_path_member(parent, "audit_log");
    std::string_view expected = "an absolute file path";
    if (!reader_.as_string(value, path, expected, out)) return false;
    return (!out->empty() && (*out)[0] == '/') ||
           reader_.fail_expected(value, path, expected,
                                 "write the full path, e.g. \"/var/log/slurm/taskgov-audit.log\"");
  }

  bool priority_classes(json_t* list, const std::string& path, std::vector<PriorityClass>* out) {
    if (!reader_.expect_array(list, path, "a list of priority classes")) return false;
    size_t count = json_array_size(list);
    if (count == 0 || count > kMaxClasses) {
      std::string fix = count == 0 ? "add one, e.g. {\"name\": \"normal\", \"weight\": 50}"
                                   : fmt::format("merge or remove {} of them", count - kMaxClasses);
      return reader_.fail(
          reader_.where(path),
          fmt::format("expected 1–{} priority classes, found {}; {}", kMaxClasses, count, fix));
    }
    size_t index = 0;
    json_t* value = nullptr;
    json_array_foreach(list, index, value) {
      std::string item = json_path_element(path, index);
      PriorityClass klass;
      if (!priority_class(value, item, &klass)) return false;
      auto same = std::find_if(out->begin(), out->end(),
                               [&](const PriorityClass& c) { return c.name == klass.name; });
      if (same != out->end()) {
        return reader_.fail(
            reader_.where(json_path_member(item, "name")),
            fmt::format("priority class \"{}\" is already defined by {}; give each class its own "
                        "name",
                        klass.name,
                        json_path_element(path, static_cast<size_t>(same - out->begin()))));
      }
      out->push_back(std::move(klass));
    }
    return true;
  }

  bool priority_class(json_t* object, const std::string& path, PriorityClass* out) {
    int64_t weight = 0;
    if (!reader_.expect_object(
            object, path, "a priority class such as {\"name\": \"training\", \"weight\": 50}") ||
        !reader_.only_keys(object, path, {"name", "weight"}) ||
        !reader_.require(object, path, "name", "\"name\": \"training\"") ||
        !reader_.require(object, path, "weight", "\"weight\": 50") ||
        !slurm_name(json_object_get(object, "name"), json_path_member(path, "name"), "QOS",
                    &out->name) ||
        !reader_.as_integer(json_object_get(object, "weight"), json_path_member(path, "weight"), 0,
                            100, &weight)) {
      return false;
    }
    out->weight = static_cast<int>(weight);
    return true;
  }

  bool team(json_t* object, const std::string& path, const std::vector<Team>& teams, Team* out) {
    out->where = reader_.where(path);
    return reader_.expect_object(object, path,
                                 "a team such as {\"name\": \"nlp\", \"account\": \"nlp\", "
                                 "\"quota\": [...]}") &&
           reader_.only_keys(
               object, path,
               {"name", "account", "fair_share_weight", "sharing", "borrow_limit_percent",
                "absolute_borrow_limits", "preempt_team_tasks", "quota"}) &&
           reader_.require(object, path, "name", "\"name\": \"nlp\"") &&
           reader_.require(object, path, "account", "\"account\": \"nlp\"") &&
           reader_.require(object, path, "quota", "\"quota\": [] (the list may be empty)") &&
           team_name(json_object_get(object, "name"), json_path_member(path, "name"), teams,
                     &out->name) &&
           account(json_object_get(object, "account"), json_path_member(path, "account"), teams,
                   &out->account) &&
           reader_.read_int(object, path, "fair_share_weight", 0, 100, &out->fair_share_weight) &&
           reader_.read_choice(object, path, "sharing", kSharing, &out->sharing) &&
           reader_.read_int(object, path, "borrow_limit_percent", 0, 500,
                            &out->borrow_limit_percent) &&
           entries(object, path, "absolute_borrow_limits", &out->absolute_borrow_limits) &&
           reader_.read_choice(object, path, "preempt_team_tasks", kPreemptTeamTasks,
                               &out->preempt_team_tasks) &&
           entries(object, path, "quota", &out->quota);
  }

  // `teams` holds the teams before this one (and this one, last, being filled).
  bool team_name(json_t* value, const std::string& path, const std::vector<Team>& teams,
                 std::string* out) {
    std::string_view expected = "a team name of letters, digits, '_', '.' and '-'";
    if (!reader_.as_string(value, path, expected, out)) return false;
    if (!is_plain_name(*out, false)) {
      return reader_.fail_expected(value, path, expected, "e.g. \"nlp\" or \"speech-research\"");
    }
    for (size_t i = 0; i + 1 < teams.size(); ++i) {
      if (teams[i].name == *out) {
        return reader_.fail(reader_.where(path),
                            fmt::format("team name \"{}\" is already used by teams[{}]; give each "
                                        "team its own name",
                                        *out, i));
      }
    }
    return true;
  }

  bool account(json_t* value, const std::string& path, const std::vector<Team>& teams,
               std::string* out) {
    if (!slurm_name(value, path, "account", out)) return false;
    for (size_t i = 0; i + 1 < teams.size(); ++i) {
      if (teams[i].account == *out) {
        return reader_.fail(reader_.where(path),
                            fmt::format("account \"{}\" already belongs to team \"{}\" "
                                        "(teams[{}]); an account can belong to one team only",
                                        *out, teams[i].name, i));
      }
    }
    return true;
  }

  bool slurm_name(json_t* value, const std::string& path, std::string_view kind, std::string* out) {
    std::string expected =
        fmt::format("a Slurm {} name (lowercase letters, digits, '_', '.', '-')", kind);
    if (!reader_.as_string(value, path, expected, out)) return false;
    std::string fix = slurm_name_fix(*out, kind);
    return fix.empty() || reader_.fail_expected(value, path, expected, fix);
  }

  bool entries(json_t* team, const std::string& team_path, const char* key,
               std::vector<QuotaEntry>* out) {
    json_t* list = json_object_get(team, key);
    if (list == nullptr) return true;
    std::string path = json_path_member(team_path, key);
    if (!reader_.expect_array(list, path, "a list of quota entries")) return false;
    size_t index = 0;
    json_t* value = nullptr;
    json_array_foreach(list, index, value) {
      out->emplace_back();
      if (!entry(value, json_path_element(path, index), &out->back())) return false;
    }
    return true;
  }

  bool entry(json_t* object, const std::string& path, QuotaEntry* out) {
    if (!reader_.expect_object(object, path,
                               "a quota entry such as {\"gres\": \"gpu:h100\", \"count\": 8}") ||
        !reader_.only_keys(object, path,
                           {"instance_type", "count", "accelerators", "gres", "cpus", "memory"})) {
      return false;
    }
    Form form{object, path};
    bool formed = form.has("instance_type") ? instance_form(form, &out->kind)
                  : form.has("gres")        ? gres_form(form, &out->kind)
                                            : cpu_memory_form(form, &out->kind);
    if (!formed) return false;
    // Resolution errors (an unknown instance type, a GRES no node has) concern the value that
    // names the resource, so the entry points there.
    const char* named_by = form.has("instance_type") ? "instance_type"
                           : form.has("gres")        ? "gres"
                                                     : nullptr;
    out->where = reader_.where(named_by ? json_path_member(path, named_by) : path);
    return instance_type(object, path, out) && gres(object, path, out) &&
           amount(object, path, form.has("accelerators") ? "accelerators" : "count", kMaxCount,
                  &out->count) &&
           optional_cpus(object, path, out) && optional_memory(object, path, out);
  }

  // Which keys one entry has. Exactly one form per entry: one that mixes forms has no single
  // meaning.
  struct Form {
    json_t* object;
    const std::string& path;
    bool has(const char* key) const { return json_object_get(object, key) != nullptr; }
  };

  bool conflict(const Form& form, const char* key, const char* message) {
    return reader_.fail(reader_.where_key(json_path_member(form.path, key)), message);
  }

  bool instance_form(const Form& form, QuotaEntry::Kind* kind) {
    if (form.has("gres")) {
      return conflict(form, "gres",
                      "an entry names either \"instance_type\" or \"gres\", not both; split it "
                      "into two entries");
    }
    if (form.has("count") && form.has("accelerators")) {
      return conflict(form, "accelerators",
                      "an \"instance_type\" entry takes \"count\" (whole nodes) or "
                      "\"accelerators\", not both; keep one");
    }
    if (!form.has("count") && !form.has("accelerators")) {
      return reader_.fail(reader_.where(form.path),
                          "an \"instance_type\" entry needs \"count\" (whole nodes) or "
                          "\"accelerators\"; add one, e.g. \"count\": 1");
    }
    if (form.has("count") && (form.has("cpus") || form.has("memory"))) {
      return conflict(form, form.has("cpus") ? "cpus" : "memory",
                      "whole nodes bring their own CPUs and memory; remove it, or count "
                      "\"accelerators\" instead of nodes");
    }
    *kind = form.has("count") ? QuotaEntry::Kind::InstanceCount
                              : QuotaEntry::Kind::InstanceAccelerators;
    return true;
  }

  bool gres_form(const Form& form, QuotaEntry::Kind* kind) {
    if (form.has("accelerators")) {
      return conflict(form, "accelerators",
                      "a \"gres\" entry counts with \"count\"; rename \"accelerators\" to "
                      "\"count\"");
    }
    *kind = QuotaEntry::Kind::Gres;
    return reader_.require(form.object, form.path, "count", "\"count\": 8");
  }

  bool cpu_memory_form(const Form& form, QuotaEntry::Kind* kind) {
    if (form.has("count") || form.has("accelerators")) {
      return conflict(form, form.has("count") ? "count" : "accelerators",
                      "a count needs \"instance_type\" or \"gres\" to say what it counts; add "
                      "one, e.g. \"gres\": \"gpu:h100\"");
    }
    if (!form.has("cpus") && !form.has("memory")) {
      return reader_.fail(reader_.where(form.path),
                          "empty quota entry; write e.g. {\"gres\": \"gpu:h100\", \"count\": 8} "
                          "or {\"cpus\": 32, \"memory\": \"128G\"}");
    }
    *kind = QuotaEntry::Kind::CpuMemory;
    return true;
  }

  bool instance_type(json_t* object, const std::string& parent, QuotaEntry* out) {
    json_t* value = json_object_get(object, "instance_type");
    if (value == nullptr) return true;
    std::string path = json_path_member(parent, "instance_type");
    std::string_view expected = "an instance type (a node Feature such as \"p5.48xlarge\")";
    if (!reader_.as_string(value, path, expected, &out->instance_type)) return false;
    return !out->instance_type.empty() ||
           reader_.fail_expected(value, path, expected, "name the Feature the nodes carry");
  }

  bool gres(json_t* object, const std::string& parent, QuotaEntry* out) {
    json_t* value = json_object_get(object, "gres");
    if (value == nullptr) return true;
    std::string path = json_path_member(parent, "gres");
    std::string_view expected =
        "a GRES \"name\" or \"name:type\" such as \"gpu:h100\" or \"neuron\"";
    if (!reader_.as_string(value, path, expected, &out->gres)) return false;
    std::string fix = gres_spelling_fix(out->gres);
    return fix.empty() || reader_.fail_expected(value, path, expected, fix);
  }

  bool amount(json_t* object, const std::string& parent, const char* key, int64_t max,
              Amount* out) {
    json_t* value = json_object_get(object, key);
    return value == nullptr ||
           reader_.as_integer(value, json_path_member(parent, key), 0, max, out);
  }

  bool optional_cpus(json_t* object, const std::string& parent, QuotaEntry* out) {
    Amount cpus = 0;
    if (json_object_get(object, "cpus") == nullptr) return true;
    if (!amount(object, parent, "cpus", kMaxCpus, &cpus)) return false;
    out->cpus = cpus;
    return true;
  }

  bool optional_memory(json_t* object, const std::string& parent, QuotaEntry* out) {
    json_t* value = json_object_get(object, "memory");
    Amount mib = 0;
    if (value == nullptr) return true;
    if (!reader_.as_memory(value, json_path_member(parent, "memory"), kMaxMemoryMib, &mib)) {
      return false;
    }
    out->memory_mib = mib;
    return true;
  }

  JsonReader reader_;
};

}  // namespace

std::string_view name_of(Admission value) { return spelling(kAdmissions, value); }
std::string_view name_of(IdleCompute value) { return spelling(kIdleCompute, value); }
std::string_view name_of(Mode value) { return spelling(kModes, value); }
std::string_view name_of(UnmappedAccounts value) { return spelling(kUnmapped, value); }
std::string_view name_of(PreemptMode value) { return spelling(kPreemptModes, value); }
std::string_view name_of(Sharing value) { return spelling(kSharing, value); }
std::string_view name_of(PreemptTeamTasks value) { return spelling(kPreemptTeamTasks, value); }

std::string PolicyError::to_string() const {
  std::string out = file;
  if (where.line > 0) out += fmt::format(":{}:{}", where.line, where.column);
  out += ": ";
  if (!where.path.empty()) out += where.path + ": ";
  return out + message;
}

bool parse_policy(std::string_view text, const std::string& file, Policy* policy,
                  PolicyError* error) {
  JsonPtr root = decode_json(text, file, error);
  if (!root) return false;
  // Filled aside so that a bad file leaves the caller's last good policy untouched.
  Policy parsed;
  parsed.file = file;
  PolicyParser parser(text, file);
  if (!parser.policy(root.get(), &parsed)) {
    *error = parser.error();
    return false;
  }
  *policy = std::move(parsed);
  return true;
}

bool load_policy_file(const std::string& file, Policy* policy, PolicyError* error) {
  std::string text;
  if (!read_text_file(file, &text)) {
    *error = {file, {}, fmt::format("cannot read the policy file: {}", std::strerror(errno))};
    return false;
  }
  return parse_policy(text, file, policy, error);
}

int Policy::find_team(std::string_view name) const {
  for (size_t i = 0; i < teams.size(); ++i) {
    if (teams[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int Policy::find_team_by_account(std::string_view account) const {
  for (size_t i = 0; i < teams.size(); ++i) {
    if (teams[i].account == account) return static_cast<int>(i);
  }
  return -1;
}

int Policy::find_class(std::string_view name) const {
  for (size_t i = 0; i < cluster.priority_classes.size(); ++i) {
    if (cluster.priority_classes[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int Policy::lowest_class() const {
  int lowest = -1;
  for (size_t i = 0; i < cluster.priority_classes.size(); ++i) {
    // <= : among equal weights the last one listed wins, the documented tie rule.
    if (lowest < 0 ||
        cluster.priority_classes[i].weight <= cluster.priority_classes[lowest].weight) {
      lowest = static_cast<int>(i);
    }
  }
  return lowest;
}

}  // namespace taskgov
