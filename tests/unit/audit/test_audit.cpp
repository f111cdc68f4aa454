// SPDX-License-Identifier: GPL-2.0-or-later
// The decision records (what a cycle's changes, a preemption, a submission and a policy load
// record, with which numbers) and the audit log that writes them (line format, rotation, and a
// path that cannot be written: reported once, never thrown, recovery reported once).
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

// After the standard headers: Check defines macros (fail) that <fstream> would trip on.
#include <check.h>

#include "audit/audit_log.h"
#include "audit/audit_records.h"
#include "builders.h"
#include "scenario.h"
#include "abi/taskgov.h"
#include "table_cases.h"

using namespace taskgov;
using namespace taskgov::scenario;

using taskgov::test::count_of;

namespace {

using Json = std::unique_ptr<json_t, decltype(&json_decref)>;

Json parse(const std::string& line) {
  json_error_t error;
  Json value(json_loads(line.c_str(), 0, &error), &json_decref);
  ck_assert_msg(value != nullptr, "not JSON (%s): %s", error.text, line.c_str());
  return value;
}

// A member by dotted path, as compact JSON ("4", "\"nlp\"", "null", "{...}"); "<absent>".
std::string at(const json_t* root, const std::string& path) {
  const json_t* value = root;
  size_t start = 0;
  while (value && start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    value = json_object_get(value, key.c_str());
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (!value) return "<absent>";
  std::unique_ptr<char, decltype(&free)> text(json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY), &free);
  return text.get();
}

std::string at(const std::string& line, const std::string& path) { return at(parse(line).get(), path); }

// One record in a few words, for comparing a cycle's records against a table.
std::string summary(const std::string& line) {
  Json r = parse(line);
  std::string event = at(r.get(), "event");
  if (event == "\"band\"")
    return "band " + at(r.get(), "job") + " " + at(r.get(), "from") + "->" + at(r.get(), "to");
  if (event == "\"start\"") return "start " + at(r.get(), "job") + " borrowed " + at(r.get(), "borrowed");
  if (event == "\"limit\"")
    return "limit " + at(r.get(), "team") + " " + at(r.get(), "from") + "->" + at(r.get(), "to");
  return "unexpected " + line;
}


TeamSpec team(const char* name, Amount quota, Sharing sharing = Sharing::LendAndBorrow) {
  TeamSpec t;
  t.name = name;
  t.quota = gpus(quota);
  t.sharing = sharing;
  return t;
}

// nlp (8 H100, borrows up to 4) and vision (8 H100, lends) on 2 nodes of 8 H100.
Scenario borrowing_world() {
  Scenario s;
  s.nodes(2, gpus(8)).classes({{"inference", 100}, {"training", 50}, {"experimentation", 10}});
  s.team(team("nlp", 8)).team(team("vision", 8, Sharing::Lend));
  return s;
}

// ---------------------------------------------------------------- cycle_changes
struct Job {
  bool running;
  uint32_t id;
  const char* team;
  Amount gpus;
  int64_t time;
};

struct ChangeCase {
  const char* name;
  std::vector<Job> before, after;
  std::vector<std::string> want;  // summaries, in record order: bands, starts, limits
};

const ChangeCase kChangeCases[] = {
    {"nothing changes: no record", {{true, 1, "nlp", 4, 10}, {false, 2, "nlp", 4, 20}},
     {{true, 1, "nlp", 4, 10}, {false, 2, "nlp", 4, 20}}, {}},
    {"a new pending job enters its band from none", {},
     {{false, 2, "nlp", 4, 20}}, {"band 2 null->\"in-quota\""}},
    {"a job crosses into borrowing when its team fills its quota",
     {{true, 1, "nlp", 4, 10}, {false, 2, "nlp", 4, 20}},
     {{true, 1, "nlp", 8, 10}, {false, 2, "nlp", 4, 20}},
     {"band 2 \"in-quota\"->\"borrowing\""}},
    {"a job blocked above quota + cap",
     {{true, 1, "nlp", 8, 10}, {false, 2, "nlp", 4, 20}},
     {{true, 1, "nlp", 8, 10}, {true, 3, "nlp", 4, 15}, {false, 2, "nlp", 4, 20}},
     {"band 2 \"borrowing\"->\"blocked\"", "start 3 borrowed {\"gres/gpu:h100\":4}"}},
    {"a job starting within quota records no borrowing", {{false, 2, "nlp", 4, 20}},
     {{true, 2, "nlp", 4, 20}}, {"start 2 borrowed {}"}},
    {"a lender's use moves the borrower's limit",
     {{true, 1, "nlp", 12, 10}},
     {{true, 1, "nlp", 12, 10}, {true, 5, "vision", 8, 30}},
     {"start 5 borrowed {}",
      // cpu and mem as well: this hand-built team has a quota of none of them, not a
      // proportional one, so its limits on them are enforced (at 0).
      "limit \"nlp\" {\"cpu\":0,\"mem\":0,\"gres/gpu:h100\":12}->"
      "{\"cpu\":0,\"mem\":0,\"gres/gpu:h100\":8}"}},
    {"ungoverned jobs are not recorded", {}, {{false, 9, "", 4, 20}, {true, 8, "", 4, 20}}, {}},
};

std::shared_ptr<const CycleResult> cycle_of(Scenario& s, const std::vector<Job>& jobs) {
  s.clear_jobs();
  for (const Job& j : jobs) {
    if (j.running) s.running(j.id, j.team, "", gpus(j.gpus), j.time);
    else s.pending(j.id, j.team, "", gpus(j.gpus), j.time);
  }
  return s.cycle();
}

START_TEST(cycle_changes_table) {
  const ChangeCase& c = kChangeCases[_i];
  Scenario s = borrowing_world();
  auto before = cycle_of(s, c.before);
  auto after = cycle_of(s, c.after);
  std::vector<std::string> got;
  for (const std::string& line : audit::cycle_changes(before.get(), *after)) got.push_back(summary(line));
  std::string got_text, want_text;
  for (const auto& g : got) got_text += g + "; ";
  for (const auto& w : c.want) want_text += w + "; ";
  ck_assert_msg(got_text == want_text, "%s:\n  got  %s\n  want %s", c.name, got_text.c_str(), want_text.c_str());
}
END_TEST

START_TEST(no_previous_cycle_records_nothing) {
  Scenario s = borrowing_world();
  auto cycle = cycle_of(s, {{false, 2, "nlp", 4, 20}, {true, 1, "nlp", 12, 10}});
  ck_assert_uint_eq(audit::cycle_changes(nullptr, *cycle).size(), 0);
}
END_TEST

START_TEST(band_record_carries_the_reason_with_numbers) {
  Scenario s = borrowing_world();
  auto before = cycle_of(s, {{true, 1, "nlp", 8, 10}});
  auto after = cycle_of(s, {{true, 1, "nlp", 8, 10}, {false, 2, "nlp", 4, 20}});
  auto records = audit::cycle_changes(before.get(), *after);
  ck_assert_uint_eq(records.size(), 1);
  CHECK_STRING(at(records[0], "team"), "\"nlp\"");
  CHECK_STRING(at(records[0], "mode"), "\"enforce\"");
  CHECK_STRING(at(records[0], "holding"), "\"gres/gpu:h100\"");
  CHECK_STRING(at(records[0], "asks"), "{\"gres/gpu:h100\":4}");
  CHECK_STRING(at(records[0], "why"),
               "\"needs to borrow gres/gpu:h100: nlp would hold 12 against a quota of 8 "
               "(borrow cap 4, pool 8 free)\"");
}
END_TEST

START_TEST(limit_record_after_a_reload_compares_by_team_name) {
  Scenario s = borrowing_world();
  auto before = cycle_of(s, {{true, 1, "nlp", 12, 10}});
  // A reload that adds a team before the others renumbers them.
  Scenario reloaded;
  reloaded.nodes(2, gpus(8)).team(team("audio", 0)).team(team("nlp", 8)).team(team("vision", 8, Sharing::Lend));
  auto after = cycle_of(reloaded, {{true, 1, "nlp", 12, 10}});
  std::vector<std::string> got;
  for (const std::string& line : audit::cycle_changes(before.get(), *after)) got.push_back(summary(line));
  ck_assert_uint_eq(got.size(), 1);
  CHECK_STRING(got[0], "limit \"audio\" null->{\"cpu\":0,\"mem\":0,\"gres/gpu:h100\":0}");
}
END_TEST

// ---------------------------------------------------------------- preemption
START_TEST(preemption_record_has_both_teams_numbers) {
  Scenario s = borrowing_world();
  s.running(10, "nlp", "experimentation", gpus(4), 100).running(11, "nlp", "experimentation", gpus(4), 200);
  s.running(12, "nlp", "training", gpus(4), 300).pending(30, "vision", "inference", gpus(8), 400);
  auto cycle = s.cycle();
  std::string line = audit::preemption(*cycle, 11, {30, s.team_index("vision"), s.class_index("inference"), ""},
                                       PreemptReason::Reclaim, audit::PreemptionPath::Scheduler);
  Json r = parse(line);
  CHECK_STRING(at(r.get(), "event"), "\"preemption\"");
  CHECK_STRING(at(r.get(), "reason"), "\"reclaim\"");
  CHECK_STRING(at(r.get(), "by"), "\"scheduler\"");
  CHECK_STRING(at(r.get(), "victim"),
               "{\"job\":11,\"team\":\"nlp\",\"class\":\"experimentation\",\"holds\":{\"gres/gpu:h100\":4},"
               "\"borrowed\":{\"gres/gpu:h100\":4}}");
  CHECK_STRING(at(r.get(), "preemptor"),
               "{\"job\":30,\"team\":\"vision\",\"class\":\"inference\",\"asks\":{\"gres/gpu:h100\":8}}");
  CHECK_STRING(at(r.get(), "teams.nlp"),
               "{\"quota\":{\"gres/gpu:h100\":8},\"used\":{\"gres/gpu:h100\":12},\"borrowed\":{\"gres/gpu:h100\":4},"
               "\"lent\":{\"gres/gpu:h100\":0},\"limit\":{\"gres/gpu:h100\":8}}");
  CHECK_STRING(at(r.get(), "teams.vision"),
               "{\"quota\":{\"gres/gpu:h100\":8},\"used\":{\"gres/gpu:h100\":0},\"borrowed\":{\"gres/gpu:h100\":0},"
               "\"lent\":{\"gres/gpu:h100\":4},\"limit\":{\"gres/gpu:h100\":8}}");
}
END_TEST

START_TEST(preemption_of_jobs_unknown_to_the_cycle) {
  Scenario s = borrowing_world();
  auto cycle = s.cycle();
  std::string line = audit::preemption(*cycle, 77, {78, -1, -1, ""}, PreemptReason::Priority,
                                       audit::PreemptionPath::Cycle);
  CHECK_STRING(at(line, "by"), "\"cycle\"");
  CHECK_STRING(at(line, "victim"), "{\"job\":77,\"team\":null,\"class\":null}");
  CHECK_STRING(at(line, "teams"), "{}");
  // A preemptor submitted since the cycle: what it asks for comes from its TRES string.
  line = audit::preemption(*cycle, 77, {78, 1, -1, "cpu=48,mem=512G,node=1,billing=48,gres/gpu:h100=2"},
                           PreemptReason::Reclaim, audit::PreemptionPath::Scheduler);
  CHECK_STRING(at(line, "preemptor.asks"), "{\"cpu\":48,\"mem\":524288,\"gres/gpu:h100\":2}");
}
END_TEST

// ---------------------------------------------------------------- submissions and policies
START_TEST(submission_records_say_accepted_refused_or_ungoverned) {
  Scenario s = borrowing_world();
  auto config = s.config();
  SubmitDecision accepted;
  accepted.klass = s.class_index("experimentation");
  accepted.request = s.vec(gpus(4));
  accepted.message = "taskgov: class experimentation (the lowest)";
  std::string line = audit::submission(*config, {1001, 0, false, "nlp"}, 0, &accepted);
  CHECK_STRING(at(line, "event"), "\"submit\"");
  CHECK_STRING(at(line, "outcome"), "\"accepted\"");
  CHECK_STRING(at(line, "rule"), "null");
  CHECK_STRING(at(line, "job"), "null");
  CHECK_STRING(at(line, "uid"), "1001");
  CHECK_STRING(at(line, "class"), "\"experimentation\"");
  CHECK_STRING(at(line, "asks"), "{\"gres/gpu:h100\":4}");

  SubmitDecision refused;
  refused.outcome = SubmitOutcome::AccountingPolicy;
  refused.message = "asks for 16 gres/gpu:h100, more than nlp's quota 8 + borrow cap 4";
  line = audit::submission(*config, {1001, 42, true, "nlp"}, 0, &refused);
  CHECK_STRING(at(line, "event"), "\"update\"");
  CHECK_STRING(at(line, "job"), "42");
  CHECK_STRING(at(line, "outcome"), "\"refused\"");
  CHECK_STRING(at(line, "rule"), "\"beyond-quota-and-borrow-cap\"");
  CHECK_STRING(at(line, "message"), "\"asks for 16 gres/gpu:h100, more than nlp's quota 8 + borrow cap 4\"");

  line = audit::submission(*config, {1002, 0, false, "physics"}, kNoTeam, nullptr);
  CHECK_STRING(at(line, "outcome"), "\"refused\"");
  CHECK_STRING(at(line, "rule"), "\"unmapped-account\"");
  CHECK_STRING(at(line, "team"), "null");
}
END_TEST

START_TEST(policy_records_name_the_file_and_the_error) {
  Scenario s = borrowing_world();
  auto config = s.config();
  std::string loaded = audit::policy_loaded(*config, 3);
  CHECK_STRING(at(loaded, "outcome"), "\"loaded\"");
  CHECK_STRING(at(loaded, "file"), "\"scenario.json\"");
  CHECK_STRING(at(loaded, "generation"), "3");
  CHECK_STRING(at(loaded, "teams"), "2");
  CHECK_STRING(at(loaded, "resources"), "[\"cpu\",\"mem\",\"gres/gpu:h100\"]");
  std::string refused = audit::policy_refused("/etc/slurm/taskgov.json", "taskgov.json:3:7: teams: oops", config.get());
  CHECK_STRING(at(refused, "outcome"), "\"refused\"");
  CHECK_STRING(at(refused, "error"), "\"taskgov.json:3:7: teams: oops\"");
  CHECK_STRING(at(refused, "in_force"), "\"scenario.json\"");
  CHECK_STRING(at(audit::policy_refused("x.json", "bad", nullptr), "in_force"), "null");
}
END_TEST

// ---------------------------------------------------------------- the audit log
std::string temp_dir() {
  char pattern[] = "/tmp/taskgov-audit-test-XXXXXX";
  const char* dir = mkdtemp(pattern);
  ck_assert_ptr_nonnull(dir);
  return dir;
}

std::vector<std::string> lines_of(const std::string& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// What the writer thread reported; read after close() or through count().
struct Reports {
  std::mutex mutex;
  std::vector<std::string> trouble, recovery;
  AuditLog::Reporter reporter() {
    return [this](bool bad, const std::string& message) {
      std::lock_guard<std::mutex> lock(mutex);
      (bad ? trouble : recovery).push_back(message);
    };
  }
  size_t troubles() {
    std::lock_guard<std::mutex> lock(mutex);
    return trouble.size();
  }
};

const struct {
  const char* log_file;
  const char* want;
} kDefaultPathCases[] = {
    {"/var/log/slurm/slurmctld.log", "/var/log/slurm/taskgov-audit.log"},
    {"/srv/slurm/log/ctld.log", "/srv/slurm/log/taskgov-audit.log"},
    {"", "/var/log/slurm/taskgov-audit.log"},  // syslog only
    {"ctld.log", "/var/log/slurm/taskgov-audit.log"},
};

START_TEST(default_path_is_next_to_slurmctlds_log) {
  CHECK_STRING(default_audit_log_path(kDefaultPathCases[_i].log_file), kDefaultPathCases[_i].want);
}
END_TEST

START_TEST(records_become_lines_with_the_time_first) {
  std::string dir = temp_dir();
  std::string path = dir + "/audit/taskgov-audit.log";  // the folder is created
  AuditLog log;
  log.write("{\"event\":\"dropped before open\"}");
  log.open(path);
  log.write("{\"event\":\"one\",\"n\":1}");
  log.write("not an object");
  log.write("{\"event\":\"two\"}");
  log.open(path);  // the same path: nothing restarts
  log.write("{\"event\":\"three\"}");
  log.close();
  std::vector<std::string> lines = lines_of(path);
  ck_assert_uint_eq(lines.size(), 3);
  const char* events[] = {"\"one\"", "\"two\"", "\"three\""};
  for (size_t i = 0; i < lines.size(); ++i) {
    ck_assert_msg(lines[i].rfind("{\"time\":\"20", 0) == 0, "line %zu: %s", i, lines[i].c_str());
    CHECK_STRING(at(lines[i], "event"), events[i]);
  }
  CHECK_STRING(at(lines[0], "n"), "1");
  ck_assert_uint_eq(std::string(at(lines[0], "time")).size(), 2 + 29);  // 2026-11-21T10:00:03.123+00:00
}
END_TEST

START_TEST(the_log_rotates_by_size) {
  std::string dir = temp_dir();
  std::string path = dir + "/taskgov-audit.log";
  AuditLogLimits limits;
  limits.file_bytes = 1000;
  AuditLog log;
  log.open(path, limits);
  for (int i = 0; i < 60; ++i) log.write("{\"event\":\"padding\",\"i\":" + std::to_string(i) + "}");
  log.close();
  std::vector<std::string> files = audit_log_files(path);
  CHECK_STRING(files[1], dir + "/taskgov-audit.1.log");
  size_t total = 0;
  for (size_t i = 0; i < 3; ++i) {
    ck_assert_msg(access(files[i].c_str(), R_OK) == 0, "%s missing", files[i].c_str());
    total += lines_of(files[i]).size();
  }
  ck_assert_uint_ge(total, 20);
  CHECK_STRING(at(lines_of(files[0]).back(), "i"), "59");
}
END_TEST

// A log whose folder is a regular file, so it cannot be opened; it tries again at once.
struct BlockedLog {
  std::string blocker = temp_dir() + "/not-a-folder";
  Reports reports;
  AuditLog log;
  BlockedLog() {
    std::ofstream(blocker) << "a file where the log's folder should be\n";
    AuditLogLimits limits;
    limits.retry_seconds = 0;
    log.set_reporter(reports.reporter());
    log.open(path(), limits);
  }
  std::string path() const { return blocker + "/taskgov-audit.log"; }
};

START_TEST(an_unwritable_path_is_reported_once_and_never_throws) {
  BlockedLog blocked;
  for (int i = 0; i < 50; ++i) blocked.log.write("{\"event\":\"lost\"}");
  blocked.log.close();
  const Reports& reports = blocked.reports;
  ck_assert_uint_eq(reports.trouble.size(), 1);
  ck_assert_uint_eq(reports.recovery.size(), 0);
  ck_assert_msg(reports.trouble[0].find("cannot open") != std::string::npos &&
                    reports.trouble[0].find(blocked.blocker) != std::string::npos,
                "%s", reports.trouble[0].c_str());
}
END_TEST

START_TEST(the_recovery_is_reported_with_what_was_lost) {
  BlockedLog blocked;
  blocked.log.write("{\"event\":\"lost\"}");
  for (int i = 0; i < 500 && blocked.reports.troubles() == 0; ++i) usleep(10000);
  ck_assert_uint_eq(blocked.reports.troubles(), 1);
  // The folder appears: the next record is written, and the recovery says what was lost.
  unlink(blocked.blocker.c_str());
  mkdir(blocked.blocker.c_str(), 0755);
  blocked.log.write("{\"event\":\"kept\"}");
  blocked.log.close();
  ck_assert_uint_eq(lines_of(blocked.path()).size(), 1);
  ck_assert_uint_eq(blocked.reports.recovery.size(), 1);
  ck_assert_msg(blocked.reports.recovery[0].find("writing again; 1 decision record was dropped meanwhile") !=
                    std::string::npos,
                "%s", blocked.reports.recovery[0].c_str());
}
END_TEST

START_TEST(a_full_disk_is_reported_once) {
  if (access("/dev/full", W_OK) != 0) return;  // no /dev/full: nothing to fill
  Reports reports;
  AuditLogLimits limits;
  limits.retry_seconds = 0;
  AuditLog log;
  log.set_reporter(reports.reporter());
  log.open("/dev/full", limits);
  for (int i = 0; i < 50; ++i) log.write("{\"event\":\"lost\"}");
  log.close();
  ck_assert_uint_eq(reports.trouble.size(), 1);
  ck_assert_msg(reports.trouble[0].find("cannot write") != std::string::npos &&
                    reports.trouble[0].find("No space left on device") != std::string::npos,
                "%s", reports.trouble[0].c_str());
}
END_TEST

// Through the C ABI, as the plugins use it: a load and a refused reload are both recorded,
// in the file the policy names.
// A one-team policy in `dir` whose decision records go to `log_file`; returns its path.
std::string write_policy_logging_to(const std::string& dir, const std::string& log_file) {
  std::string policy_file = dir + "/taskgov.json";
  std::ofstream(policy_file) << R"({"cluster": {"priority_classes": [{"name": "normal", "weight": 1}],
    "audit_log": ")" << log_file << R"("},
  "teams": [{"name": "nlp", "account": "nlp", "quota": [{"gres": "gpu:h100", "count": 8}]}]})";
  return policy_file;
}

START_TEST(policy_loads_are_recorded_where_the_policy_says) {
  std::string dir = temp_dir();
  std::string log_file = dir + "/decisions.log";
  std::string policy_file = write_policy_logging_to(dir, log_file);
  tg_engine_t* engine = tg_engine_acquire();
  ck_assert_int_eq(tg_audit_configure(engine, (dir + "/slurmctld.log").c_str(), nullptr), TG_OK);
  tg_inventory_t* inventory = tg_inventory_new();
  tg_inventory_add_node(inventory, "", 192, 2 * 1024 * 1024, "gpu:h100:8");
  char error[512];
  ck_assert_int_eq(tg_load_policy(engine, policy_file.c_str(), inventory, error, sizeof(error)), TG_OK);
  std::ofstream(policy_file) << "{\"cluster\": {\"priority_classes\": []}, \"teams\": []}";
  ck_assert_int_eq(tg_load_policy(engine, policy_file.c_str(), inventory, error, sizeof(error)), TG_ERROR);
  tg_inventory_free(inventory);
  tg_engine_release(engine);  // the last reference: the writer drains

  std::vector<std::string> lines = lines_of(log_file);
  ck_assert_uint_eq(lines.size(), 2);
  CHECK_STRING(at(lines[0], "outcome"), "\"loaded\"");
  CHECK_STRING(at(lines[0], "file"), "\"" + policy_file + "\"");
  CHECK_STRING(at(lines[1], "outcome"), "\"refused\"");
  CHECK_STRING(at(lines[1], "in_force"), "\"" + policy_file + "\"");
  ck_assert_msg(at(lines[1], "error").find("priority_classes") != std::string::npos, "%s", lines[1].c_str());
}
END_TEST

// slurmctld installs a policy under its job write lock: the install must neither open the log
// nor join a writer; the records wait for tg_audit_reopen(), called unlocked.
START_TEST(records_of_an_install_wait_for_the_reopen) {
  std::string dir = temp_dir();
  std::string log_file = dir + "/decisions.log";
  std::string policy_file = write_policy_logging_to(dir, log_file);
  tg_engine_t* engine = tg_engine_acquire();
  tg_inventory_t* inventory = tg_inventory_new();
  tg_inventory_add_node(inventory, "", 192, 2 * 1024 * 1024, "gpu:h100:8");
  char error[512];
  tg_policy_t* policy = tg_policy_read(engine, policy_file.c_str(), error, sizeof(error));
  ck_assert_msg(policy != nullptr, "%s", error);
  ck_assert_int_eq(tg_policy_install(engine, policy, inventory, error, sizeof(error)), TG_OK);
  ck_assert_int_eq(access(log_file.c_str(), F_OK), -1);
  tg_audit_reopen(engine);
  tg_inventory_free(inventory);
  tg_engine_release(engine);
  std::vector<std::string> lines = lines_of(log_file);
  ck_assert_uint_eq(lines.size(), 1);
  CHECK_STRING(at(lines[0], "outcome"), "\"loaded\"");
}
END_TEST

// The reporter lives in priority_taskgov.so, which an HA handover unloads while the engine
// lives on: once cleared, the writer thread never calls it.
int g_reports = 0;
void count_report(int, const char*) { ++g_reports; }

struct ReporterCase {
  bool cleared;
  int reports;
};
const ReporterCase kReporterCases[] = {{false, 1}, {true, 0}};

START_TEST(a_cleared_reporter_is_never_called) {
  const ReporterCase& c = kReporterCases[_i];
  std::string dir = temp_dir();
  std::string policy_file = dir + "/taskgov.json";
  std::ofstream(dir + "/blocker") << "a file where a folder should be";
  std::ofstream(policy_file) << R"({"cluster": {"priority_classes": [{"name": "normal", "weight": 1}],
    "audit_log": ")" << dir << R"(/blocker/audit.log"},
  "teams": [{"name": "nlp", "account": "nlp", "quota": [{"gres": "gpu:h100", "count": 8}]}]})";
  g_reports = 0;
  tg_engine_t* engine = tg_engine_acquire();
  ck_assert_int_eq(tg_audit_configure(engine, (dir + "/slurmctld.log").c_str(), count_report), TG_OK);
  if (c.cleared) ck_assert_int_eq(tg_audit_configure(engine, (dir + "/slurmctld.log").c_str(), nullptr), TG_OK);
  tg_inventory_t* inventory = tg_inventory_new();
  tg_inventory_add_node(inventory, "", 192, 2 * 1024 * 1024, "gpu:h100:8");
  char error[512];
  ck_assert_int_eq(tg_load_policy(engine, policy_file.c_str(), inventory, error, sizeof(error)), TG_OK);
  tg_inventory_free(inventory);
  tg_engine_release(engine);  // the writer drains: the unwritable file is reported, or not
  ck_assert_int_eq(g_reports, c.reports);
}
END_TEST

// One cycle through the C ABI with nlp's job holding `gpus` H100, published and finished as the
// governance cycle does it.
void run_cycle(tg_engine_t* engine, uint64_t gpus) {
  tg_settings_t settings;
  ck_assert_int_eq(tg_settings(engine, &settings), TG_OK);
  uint64_t amounts[TG_MAX_RESOURCES] = {0};
  for (int r = 0; r < settings.resources; ++r)
    if (std::string(tg_resource_name(engine, r)) == "gres/gpu:h100") amounts[r] = gpus;
  tg_snapshot_t* snapshot = tg_snapshot_new(engine, 1000);
  ck_assert_int_eq(tg_snapshot_add_running(snapshot, 7, 0, 0, amounts, 900), TG_OK);
  tg_cycle_t* cycle = tg_cycle_compute(snapshot);
  ck_assert_int_eq(tg_cycle_publish(engine, cycle), TG_OK);
  tg_cycle_finish(engine, cycle);
}

// A reload moves every team's limit at once: the first cycle after it records that against the
// last cycle before it.
START_TEST(limits_a_reload_moves_are_recorded) {
  std::string dir = temp_dir();
  std::string policy_file = dir + "/taskgov.json";
  auto write_policy = [&](int quota) {
    std::ofstream(policy_file) << R"({"cluster": {"priority_classes": [{"name": "normal", "weight": 1}],
      "audit_log": ")" << dir << R"(/audit.log"},
      "teams": [{"name": "nlp", "account": "nlp", "quota": [{"gres": "gpu:h100", "count": )" << quota << "}]}]}";
  };
  tg_engine_t* engine = tg_engine_acquire();
  tg_inventory_t* inventory = tg_inventory_new();
  tg_inventory_add_node(inventory, "", 192, 2 * 1024 * 1024, "gpu:h100:8");
  tg_inventory_add_node(inventory, "", 192, 2 * 1024 * 1024, "gpu:h100:8");
  char error[512];
  write_policy(8);
  ck_assert_int_eq(tg_load_policy(engine, policy_file.c_str(), inventory, error, sizeof(error)), TG_OK);
  run_cycle(engine, 4);
  run_cycle(engine, 4);  // nothing moved
  write_policy(4);
  ck_assert_int_eq(tg_load_policy(engine, policy_file.c_str(), inventory, error, sizeof(error)), TG_OK);
  run_cycle(engine, 4);
  tg_inventory_free(inventory);
  tg_engine_release(engine);

  std::vector<std::string> limits;
  for (const std::string& line : lines_of(dir + "/audit.log"))
    if (at(line, "event") == "\"limit\"") limits.push_back(at(line, "from") + "->" + at(line, "to"));
  ck_assert_uint_eq(limits.size(), 1);
  // 8 + 50 % of 8 borrowable (the 8 idle H100 no team owns), then 4 + 2.
  ck_assert_msg(limits[0].find("\"gres/gpu:h100\":12}->") != std::string::npos &&
                    limits[0].find("\"gres/gpu:h100\":6}") != std::string::npos,
                "%s", limits[0].c_str());
}
END_TEST

Suite* audit_suite() {
  Suite* s = suite_create("audit");
  TCase* records = tcase_create("records");
  tcase_add_loop_test(records, cycle_changes_table, 0, count_of(kChangeCases));
  tcase_add_test(records, no_previous_cycle_records_nothing);
  tcase_add_test(records, band_record_carries_the_reason_with_numbers);
  tcase_add_test(records, limit_record_after_a_reload_compares_by_team_name);
  tcase_add_test(records, preemption_record_has_both_teams_numbers);
  tcase_add_test(records, preemption_of_jobs_unknown_to_the_cycle);
  tcase_add_test(records, submission_records_say_accepted_refused_or_ungoverned);
  tcase_add_test(records, policy_records_name_the_file_and_the_error);
  suite_add_tcase(s, records);
  TCase* log = tcase_create("log");
  tcase_add_loop_test(log, default_path_is_next_to_slurmctlds_log, 0, count_of(kDefaultPathCases));
  tcase_add_test(log, records_become_lines_with_the_time_first);
  tcase_add_test(log, the_log_rotates_by_size);
  tcase_add_test(log, an_unwritable_path_is_reported_once_and_never_throws);
  tcase_add_test(log, the_recovery_is_reported_with_what_was_lost);
  tcase_add_test(log, a_full_disk_is_reported_once);
  tcase_add_test(log, policy_loads_are_recorded_where_the_policy_says);
  tcase_add_test(log, limits_a_reload_moves_are_recorded);
  tcase_add_test(log, records_of_an_install_wait_for_the_reopen);
  tcase_add_loop_test(log, a_cleared_reporter_is_never_called, 0, count_of(kReporterCases));
  suite_add_tcase(s, log);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(audit_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
