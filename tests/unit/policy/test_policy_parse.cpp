// SPDX-License-Identifier: GPL-2.0-or-later
// taskgov.json: every field's error (file, line, column, JSON path, expectation, found value,
// fix), unknown and duplicate keys, syntax errors, defaults, the lookups, and the locator that
// finds positions jansson does not keep.
#include <check.h>

#include <cstdio>
#include <string>
#include <unistd.h>

#include "builders.h"
#include "policy/json_location.h"
#include "policy/policy.h"

using namespace taskgov;
using namespace taskgov::test;

namespace {

// ---------------------------------------------------------------- error table
// Each template puts the row's snippet at "@@"; the comment gives that spot's line:column.

// Whole text.
const char* const kWhole = "@@";

// 4:5; a value after "key": starts at column 9 + strlen(key).
const char* const kClusterField = R"({
  "cluster": {
    "priority_classes": [{"name": "training", "weight": 50}],
    @@
  },
  "teams": []
})";

// 4:7
const char* const kClassList = R"({
  "cluster": {
    "priority_classes": [
      @@
    ]
  },
  "teams": []
})";

// 5:6; a value after "key": starts at column 10 + strlen(key).
const char* const kTeamField = R"({
  "cluster": {"priority_classes": [{"name": "training", "weight": 50}]},
  "teams": [
    {"name": "nlp", "account": "nlp", "quota": [],
     @@}
  ]
})";

// 4:5
const char* const kTeamList = R"({
  "cluster": {"priority_classes": [{"name": "training", "weight": 50}]},
  "teams": [
    @@
  ]
})";

// 5:7
const char* const kQuotaEntry = R"({
  "cluster": {"priority_classes": [{"name": "training", "weight": 50}]},
  "teams": [
    {"name": "nlp", "account": "nlp", "quota": [
      @@
    ]}
  ]
})";

struct ErrorRow {
  const char* rule;
  const char* text;  // a template above
  const char* snippet;
  int line;
  int column;
  const char* path;
  const char* message;
};

const ErrorRow kErrors[] = {
    // ------------------------------------------------------------ top level
    {"root is not an object", kWhole, "[]", 1, 1, "",
     "expected an object with \"cluster\" and \"teams\", found an array; write it in { }"},
    {"unknown top-level key", kWhole,
     R"({"cluster": {"priority_classes": [{"name": "a", "weight": 1}]}, "teams": [], "team": []})",
     1, 78, "team", "unknown key \"team\"; did you mean \"teams\"? allowed keys: cluster, teams"},
    {"missing cluster", kWhole, R"({"teams": []})", 1, 1, "",
     "missing required key \"cluster\"; add it, e.g. \"cluster\": {\"priority_classes\": [...]}"},
    {"missing teams", kWhole, R"({"cluster": {"priority_classes": [{"name": "a", "weight": 1}]}})",
     1, 1, "",
     "missing required key \"teams\"; add it, e.g. \"teams\": [] (the list may be empty)"},
    {"cluster not an object", kWhole, R"({"cluster": [], "teams": []})", 1, 13, "cluster",
     "expected an object of cluster settings, found an array; write it in { }"},
    {"teams not a list", kWhole,
     R"({"cluster": {"priority_classes": [{"name": "a", "weight": 1}]}, "teams": {}})", 1, 74,
     "teams", "expected a list of teams, found an object; write it in [ ]"},
    // ------------------------------------------------------------ cluster
    {"missing priority_classes", kWhole, R"({"cluster": {}, "teams": []})", 1, 13, "cluster",
     "missing required key \"priority_classes\"; add it, e.g. \"priority_classes\": [{\"name\": "
     "\"normal\", \"weight\": 50}]"},
    {"priority_classes not a list", kWhole,
     R"({"cluster": {"priority_classes": "training"}, "teams": []})", 1, 34,
     "cluster.priority_classes",
     "expected a list of priority classes, found string \"training\"; write it in [ ]"},
    {"no priority class", kWhole, R"({"cluster": {"priority_classes": []}, "teams": []})", 1, 34,
     "cluster.priority_classes",
     "expected 1–10 priority classes, found 0; add one, e.g. {\"name\": \"normal\", \"weight\": 50}"},
    {"eleven priority classes", kWhole,
     R"({"cluster": {"priority_classes": [{"name":"c0","weight":0},{"name":"c1","weight":1},)"
     R"({"name":"c2","weight":2},{"name":"c3","weight":3},{"name":"c4","weight":4},)"
     R"({"name":"c5","weight":5},{"name":"c6","weight":6},{"name":"c7","weight":7},)"
     R"({"name":"c8","weight":8},{"name":"c9","weight":9},{"name":"c10","weight":10}]},)"
     R"( "teams": []})",
     1, 34, "cluster.priority_classes",
     "expected 1–10 priority classes, found 11; merge or remove 1 of them"},
    {"admission in capitals", kClusterField, R"("admission": "FCFS")", 4, 18, "cluster.admission",
     "expected one of \"fcfs\", \"task-ranking\", found string \"FCFS\"; did you mean \"fcfs\"?"},
    {"idle_compute misspelt", kClusterField, R"("idle_compute": "fairshare")", 4, 21,
     "cluster.idle_compute",
     "expected one of \"fair-share\", \"fcfs\", found string \"fairshare\"; did you mean "
     "\"fair-share\"?"},
    {"share_unassigned as yes", kClusterField, R"("share_unassigned": "yes")", 4, 25,
     "cluster.share_unassigned",
     "expected true or false, found string \"yes\"; write true or false"},
    {"share_unassigned quoted", kClusterField, R"("share_unassigned": "true")", 4, 25,
     "cluster.share_unassigned",
     "expected true or false, found string \"true\"; write it without quotes: true"},
    {"mode unknown", kClusterField, R"("mode": "dry-run")", 4, 13, "cluster.mode",
     "expected one of \"enforce\", \"shadow\", found string \"dry-run\"; use one of those"},
    {"unmapped_accounts unknown", kClusterField, R"("unmapped_accounts": "deny")", 4, 26,
     "cluster.unmapped_accounts",
     "expected one of \"reject\", \"allow\", found string \"deny\"; use one of those"},
    {"proportional_defaults as number", kClusterField, R"("proportional_defaults": 1)", 4, 30,
     "cluster.proportional_defaults", "expected true or false, found 1; write true or false"},
    {"enforce_derived quoted", kClusterField, R"("enforce_derived": "yes")", 4, 24,
     "cluster.enforce_derived", "expected true or false, found string \"yes\"; write true or false"},
    {"preempt_mode unknown", kClusterField, R"("preempt_mode": "suspend")", 4, 21,
     "cluster.preempt_mode",
     "expected one of \"requeue\", \"cancel\", found string \"suspend\"; use one of those"},
    {"cycle_seconds below range", kClusterField, R"("cycle_seconds": 0)", 4, 22,
     "cluster.cycle_seconds", "expected an integer 1–300, found 0; use a value from 1 to 300"},
    {"cycle_seconds above range", kClusterField, R"("cycle_seconds": 301)", 4, 22,
     "cluster.cycle_seconds", "expected an integer 1–300, found 301; use a value from 1 to 300"},
    {"cycle_seconds quoted", kClusterField, R"("cycle_seconds": "5")", 4, 22,
     "cluster.cycle_seconds",
     "expected an integer 1–300, found string \"5\"; write it without quotes: 5"},
    {"cycle_seconds fractional", kClusterField, R"("cycle_seconds": 2.5)", 4, 22,
     "cluster.cycle_seconds", "expected an integer 1–300, found 2.5; use a whole number"},
    {"cycle_seconds null", kClusterField, R"("cycle_seconds": null)", 4, 22,
     "cluster.cycle_seconds",
     "expected an integer 1–300, found null; write a whole number from 1 to 300"},
    {"audit_log relative", kClusterField, R"("audit_log": "audit.log")", 4, 18,
     "cluster.audit_log",
     "expected an absolute file path, found string \"audit.log\"; write the full path, e.g. "
     "\"/var/log/slurm/taskgov-audit.log\""},
    {"audit_log not text", kClusterField, R"("audit_log": 5)", 4, 18, "cluster.audit_log",
     "expected an absolute file path, found 5; put it in quotes: \"5\""},
    {"unknown cluster key", kClusterField, R"("admision": "fcfs")", 4, 5, "cluster.admision",
     "unknown key \"admision\"; did you mean \"admission\"? allowed keys: priority_classes, "
     "admission, idle_compute, share_unassigned, mode, unmapped_accounts, proportional_defaults, "
     "enforce_derived, preempt_mode, cycle_seconds, audit_log"},
    // ------------------------------------------------------------ priority classes
    {"class not an object", kClassList, R"("training")", 4, 7, "cluster.priority_classes[0]",
     "expected a priority class such as {\"name\": \"training\", \"weight\": 50}, found string "
     "\"training\"; write it in { }"},
    {"class without weight", kClassList, R"({"name": "training"})", 4, 7,
     "cluster.priority_classes[0]", "missing required key \"weight\"; add it, e.g. \"weight\": 50"},
    {"class without name", kClassList, R"({"weight": 50})", 4, 7, "cluster.priority_classes[0]",
     "missing required key \"name\"; add it, e.g. \"name\": \"training\""},
    {"class name in capitals", kClassList, R"({"name": "Training", "weight": 50})", 4, 16,
     "cluster.priority_classes[0].name",
     "expected a Slurm QOS name (lowercase letters, digits, '_', '.', '-'), found string "
     "\"Training\"; Slurm stores QOS names in lowercase: write \"training\""},
    {"class name with a space", kClassList, R"({"name": "high prio", "weight": 50})", 4, 16,
     "cluster.priority_classes[0].name",
     "expected a Slurm QOS name (lowercase letters, digits, '_', '.', '-'), found string "
     "\"high prio\"; use only lowercase letters, digits, '_', '.' and '-'"},
    {"class weight above range", kClassList, R"({"name": "training", "weight": 101})", 4, 38,
     "cluster.priority_classes[0].weight",
     "expected an integer 0–100, found 101; use a value from 0 to 100"},
    {"class weight as a word", kClassList, R"({"name": "training", "weight": "ten"})", 4, 38,
     "cluster.priority_classes[0].weight",
     "expected an integer 0–100, found string \"ten\"; write a whole number from 0 to 100"},
    {"class name repeated", kClassList, R"({"name": "a", "weight": 1}, {"name": "a", "weight": 2})",
     4, 44, "cluster.priority_classes[1].name",
     "priority class \"a\" is already defined by cluster.priority_classes[0]; give each class its "
     "own name"},
    {"unknown class key", kClassList, R"({"name": "training", "wieght": 50})", 4, 28,
     "cluster.priority_classes[0].wieght",
     "unknown key \"wieght\"; did you mean \"weight\"? allowed keys: name, weight"},
    // ------------------------------------------------------------ team settings
    {"fair_share_weight as a word", kTeamField, R"("fair_share_weight": "ten")", 5, 27,
     "teams[0].fair_share_weight",
     "expected an integer 0–100, found string \"ten\"; write a whole number from 0 to 100"},
    {"fair_share_weight negative", kTeamField, R"("fair_share_weight": -1)", 5, 27,
     "teams[0].fair_share_weight", "expected an integer 0–100, found -1; use a value from 0 to 100"},
    {"sharing unknown", kTeamField, R"("sharing": "borrow")", 5, 17, "teams[0].sharing",
     "expected one of \"lend\", \"dont-lend\", \"lend-and-borrow\", found string \"borrow\"; use "
     "one of those"},
    {"sharing with underscores", kTeamField, R"("sharing": "lend_and_borrow")", 5, 17,
     "teams[0].sharing",
     "expected one of \"lend\", \"dont-lend\", \"lend-and-borrow\", found string "
     "\"lend_and_borrow\"; did you mean \"lend-and-borrow\"?"},
    {"borrow_limit_percent above range", kTeamField, R"("borrow_limit_percent": 501)", 5, 30,
     "teams[0].borrow_limit_percent",
     "expected an integer 0–500, found 501; use a value from 0 to 500"},
    {"absolute_borrow_limits not a list", kTeamField, R"("absolute_borrow_limits": {})", 5, 32,
     "teams[0].absolute_borrow_limits",
     "expected a list of quota entries, found an object; write it in [ ]"},
    {"absolute_borrow_limits entry without count", kTeamField,
     R"("absolute_borrow_limits": [{"gres": "gpu:h100"}])", 5, 33,
     "teams[0].absolute_borrow_limits[0]",
     "missing required key \"count\"; add it, e.g. \"count\": 8"},
    {"preempt_team_tasks unknown", kTeamField, R"("preempt_team_tasks": "always")", 5, 28,
     "teams[0].preempt_team_tasks",
     "expected one of \"lower-priority\", \"never\", found string \"always\"; use one of those"},
    {"unknown team key", kTeamField, R"("qouta": [])", 5, 6, "teams[0].qouta",
     "unknown key \"qouta\"; did you mean \"quota\"? allowed keys: name, account, "
     "fair_share_weight, sharing, borrow_limit_percent, absolute_borrow_limits, "
     "preempt_team_tasks, quota"},
    // ------------------------------------------------------------ teams
    {"team not an object", kTeamList, R"("nlp")", 4, 5, "teams[0]",
     "expected a team such as {\"name\": \"nlp\", \"account\": \"nlp\", \"quota\": [...]}, found "
     "string \"nlp\"; write it in { }"},
    {"team without name", kTeamList, R"({"account": "nlp", "quota": []})", 4, 5, "teams[0]",
     "missing required key \"name\"; add it, e.g. \"name\": \"nlp\""},
    {"team without account", kTeamList, R"({"name": "nlp", "quota": []})", 4, 5, "teams[0]",
     "missing required key \"account\"; add it, e.g. \"account\": \"nlp\""},
    {"team without quota", kTeamList, R"({"name": "nlp", "account": "nlp"})", 4, 5, "teams[0]",
     "missing required key \"quota\"; add it, e.g. \"quota\": [] (the list may be empty)"},
    {"team name with a space", kTeamList, R"({"name": "my team", "account": "nlp", "quota": []})",
     4, 14, "teams[0].name",
     "expected a team name of letters, digits, '_', '.' and '-', found string \"my team\"; e.g. "
     "\"nlp\" or \"speech-research\""},
    {"team name empty", kTeamList, R"({"name": "", "account": "nlp", "quota": []})", 4, 14,
     "teams[0].name",
     "expected a team name of letters, digits, '_', '.' and '-', found string \"\"; e.g. \"nlp\" "
     "or \"speech-research\""},
    {"team name a number", kTeamList, R"({"name": 5, "account": "nlp", "quota": []})", 4, 14,
     "teams[0].name",
     "expected a team name of letters, digits, '_', '.' and '-', found 5; put it in quotes: \"5\""},
    {"account in capitals", kTeamList, R"({"name": "nlp", "account": "NLP", "quota": []})", 4, 32,
     "teams[0].account",
     "expected a Slurm account name (lowercase letters, digits, '_', '.', '-'), found string "
     "\"NLP\"; Slurm stores account names in lowercase: write \"nlp\""},
    {"account with a comma", kTeamList, R"({"name": "nlp", "account": "nlp,cv", "quota": []})", 4,
     32, "teams[0].account",
     "expected a Slurm account name (lowercase letters, digits, '_', '.', '-'), found string "
     "\"nlp,cv\"; use only lowercase letters, digits, '_', '.' and '-'"},
    {"quota not a list", kTeamList, R"({"name": "nlp", "account": "nlp", "quota": {}})", 4, 48,
     "teams[0].quota", "expected a list of quota entries, found an object; write it in [ ]"},
    {"team name repeated", kTeamList,
     R"({"name": "nlp", "account": "a", "quota": []}, )"
     R"({"name": "nlp", "account": "b", "quota": []})",
     4, 60, "teams[1].name",
     "team name \"nlp\" is already used by teams[0]; give each team its own name"},
    {"account in two teams", kTeamList,
     R"({"name": "a", "account": "nlp", "quota": []}, )"
     R"({"name": "b", "account": "nlp", "quota": []})",
     4, 76, "teams[1].account",
     "account \"nlp\" already belongs to team \"a\" (teams[0]); an account can belong to one team "
     "only"},
    // ------------------------------------------------------------ quota entries
    {"entry not an object", kQuotaEntry, "8", 5, 7, "teams[0].quota[0]",
     "expected a quota entry such as {\"gres\": \"gpu:h100\", \"count\": 8}, found 8; write it in "
     "{ }"},
    {"entry empty", kQuotaEntry, "{}", 5, 7, "teams[0].quota[0]",
     "empty quota entry; write e.g. {\"gres\": \"gpu:h100\", \"count\": 8} or {\"cpus\": 32, "
     "\"memory\": \"128G\"}"},
    {"instance_type and gres together", kQuotaEntry,
     R"({"instance_type": "p5.48xlarge", "gres": "gpu:h100", "count": 1})", 5, 40,
     "teams[0].quota[0].gres",
     "an entry names either \"instance_type\" or \"gres\", not both; split it into two entries"},
    {"count and accelerators together", kQuotaEntry,
     R"({"instance_type": "p5.48xlarge", "count": 1, "accelerators": 8})", 5, 52,
     "teams[0].quota[0].accelerators",
     "an \"instance_type\" entry takes \"count\" (whole nodes) or \"accelerators\", not both; "
     "keep one"},
    {"instance_type without an amount", kQuotaEntry, R"({"instance_type": "p5.48xlarge"})", 5, 7,
     "teams[0].quota[0]",
     "an \"instance_type\" entry needs \"count\" (whole nodes) or \"accelerators\"; add one, e.g. "
     "\"count\": 1"},
    {"whole nodes with cpus", kQuotaEntry,
     R"({"instance_type": "p5.48xlarge", "count": 1, "cpus": 8})", 5, 52, "teams[0].quota[0].cpus",
     "whole nodes bring their own CPUs and memory; remove it, or count \"accelerators\" instead of "
     "nodes"},
    {"gres with accelerators", kQuotaEntry, R"({"gres": "gpu:h100", "accelerators": 8})", 5, 28,
     "teams[0].quota[0].accelerators",
     "a \"gres\" entry counts with \"count\"; rename \"accelerators\" to \"count\""},
    {"gres without count", kQuotaEntry, R"({"gres": "gpu:h100"})", 5, 7, "teams[0].quota[0]",
     "missing required key \"count\"; add it, e.g. \"count\": 8"},
    {"count of nothing", kQuotaEntry, R"({"count": 8})", 5, 8, "teams[0].quota[0].count",
     "a count needs \"instance_type\" or \"gres\" to say what it counts; add one, e.g. \"gres\": "
     "\"gpu:h100\""},
    {"instance_type a number", kQuotaEntry, R"({"instance_type": 5, "count": 1})", 5, 25,
     "teams[0].quota[0].instance_type",
     "expected an instance type (a node Feature such as \"p5.48xlarge\"), found 5; put it in "
     "quotes: \"5\""},
    {"instance_type empty", kQuotaEntry, R"({"instance_type": "", "count": 1})", 5, 25,
     "teams[0].quota[0].instance_type",
     "expected an instance type (a node Feature such as \"p5.48xlarge\"), found string \"\"; name "
     "the Feature the nodes carry"},
    {"count negative", kQuotaEntry, R"({"instance_type": "p5.48xlarge", "count": -1})", 5, 49,
     "teams[0].quota[0].count",
     "expected an integer 0–1000000, found -1; use a value from 0 to 1000000"},
    {"accelerators as a word", kQuotaEntry,
     R"({"instance_type": "p5.48xlarge", "accelerators": "two"})", 5, 56,
     "teams[0].quota[0].accelerators",
     "expected an integer 0–1000000, found string \"two\"; write a whole number from 0 to 1000000"},
    {"gres with the TRES prefix", kQuotaEntry, R"({"gres": "gres/gpu:h100", "count": 8})", 5, 16,
     "teams[0].quota[0].gres",
     "expected a GRES \"name\" or \"name:type\" such as \"gpu:h100\" or \"neuron\", found string "
     "\"gres/gpu:h100\"; drop the prefix: \"gpu:h100\""},
    {"gres with its count", kQuotaEntry, R"({"gres": "gpu:h100:8", "count": 8})", 5, 16,
     "teams[0].quota[0].gres",
     "expected a GRES \"name\" or \"name:type\" such as \"gpu:h100\" or \"neuron\", found string "
     "\"gpu:h100:8\"; the number is the count, not part of the name: \"gpu:h100\""},
    {"gres with a space", kQuotaEntry, R"({"gres": "gpu h100", "count": 8})", 5, 16,
     "teams[0].quota[0].gres",
     "expected a GRES \"name\" or \"name:type\" such as \"gpu:h100\" or \"neuron\", found string "
     "\"gpu h100\"; use letters, digits, '_', '.', '-' and at most one ':'"},
    {"gres a number", kQuotaEntry, R"({"gres": 8, "count": 8})", 5, 16, "teams[0].quota[0].gres",
     "expected a GRES \"name\" or \"name:type\" such as \"gpu:h100\" or \"neuron\", found 8; "
     "put it in quotes: \"8\""},
    {"gres count fractional", kQuotaEntry, R"({"gres": "gpu:h100", "count": 1.5})", 5, 37,
     "teams[0].quota[0].count", "expected an integer 0–1000000, found 1.5; use a whole number"},
    {"cpus quoted", kQuotaEntry, R"({"cpus": "32"})", 5, 16, "teams[0].quota[0].cpus",
     "expected an integer 0–100000000, found string \"32\"; write it without quotes: 32"},
    {"memory with an IEC suffix", kQuotaEntry, R"({"memory": "512GiB"})", 5, 18,
     "teams[0].quota[0].memory",
     "expected memory such as \"512G\", \"2T\", \"1024M\" or a number of MiB, found string "
     "\"512GiB\"; write \"512G\""},
    {"memory negative", kQuotaEntry, R"({"memory": -5})", 5, 18, "teams[0].quota[0].memory",
     "expected memory such as \"512G\", \"2T\", \"1024M\" or a number of MiB, found -5; memory "
     "cannot be negative"},
    {"memory negative text", kQuotaEntry, R"({"memory": "-5G"})", 5, 18,
     "teams[0].quota[0].memory",
     "expected memory such as \"512G\", \"2T\", \"1024M\" or a number of MiB, found string "
     "\"-5G\"; memory cannot be negative"},
    {"memory as a word", kQuotaEntry, R"({"memory": "lots"})", 5, 18, "teams[0].quota[0].memory",
     "expected memory such as \"512G\", \"2T\", \"1024M\" or a number of MiB, found string "
     "\"lots\"; write a whole number with an optional K, M, G, T or P suffix, e.g. \"512G\""},
    {"memory fractional", kQuotaEntry, R"({"memory": 1.5})", 5, 18, "teams[0].quota[0].memory",
     "expected memory such as \"512G\", \"2T\", \"1024M\" or a number of MiB, found 1.5; write "
     "whole MiB or a string with a suffix, e.g. \"512G\""},
    {"memory beyond an exbibyte", kQuotaEntry, R"({"memory": "2000000T"})", 5, 18,
     "teams[0].quota[0].memory",
     "expected memory such as \"512G\", \"2T\", \"1024M\" or a number of MiB, found string "
     "\"2000000T\"; that is more than 1048576T; check the unit"},
    {"unknown entry key", kQuotaEntry, R"({"gres": "gpu:h100", "coutn": 8})", 5, 28,
     "teams[0].quota[0].coutn",
     "unknown key \"coutn\"; did you mean \"count\"? allowed keys: instance_type, count, "
     "accelerators, gres, cpus, memory"},
    {"columns count characters, not bytes", kQuotaEntry, R"({"memory": "ü", "cpus": "x"})", 5,
     31, "teams[0].quota[0].cpus",
     "expected an integer 0–100000000, found string \"x\"; write a whole number from 0 to "
     "100000000"},
    // ------------------------------------------------------------ syntax (jansson's position)
    {"trailing comma", kWhole, "{\n  \"teams\": [],\n}", 3, 1, "",
     "invalid JSON: string or '}' expected near '}'"},
    {"missing comma", kWhole, "{\n  \"cluster\": {}\n  \"teams\": []\n}", 3, 9, "",
     "invalid JSON: '}' expected near '\"teams\"'"},
    {"empty file", kWhole, "", 1, 1, "", "invalid JSON: '[' or '{' expected near end of file"},
    {"duplicate top-level key", kWhole, "{\n  \"teams\": [],\n  \"teams\": []\n}", 3, 3, "teams",
     "duplicate key \"teams\", also set at line 2, column 3; keep one"},
    {"duplicate key in an entry", kQuotaEntry, R"({"gres": "gpu:h100", "count": 8, "count": 9})",
     5, 40, "teams[0].quota[0].count",
     "duplicate key \"count\", also set at line 5, column 28; keep one"},
};

std::string fill(const char* text, const char* snippet) {
  std::string out = text;
  size_t at = out.find("@@");
  return out.replace(at, 2, snippet);
}

START_TEST(every_error_names_position_path_expectation_and_fix) {
  const ErrorRow& row = kErrors[_i];
  Policy policy;
  PolicyError error;
  bool parsed = parse_policy(fill(row.text, row.snippet), "taskgov.json", &policy, &error);
  ck_assert_msg(!parsed, "%s: parsed", row.rule);
  ck_assert_msg(error.where.line == row.line && error.where.column == row.column,
                "%s: at %d:%d, want %d:%d", row.rule, error.where.line, error.where.column,
                row.line, row.column);
  ck_assert_msg(error.where.path == row.path, "%s: path \"%s\", want \"%s\"", row.rule,
                error.where.path.c_str(), row.path);
  ck_assert_msg(error.message == row.message, "%s:\n  got  %s\n  want %s", row.rule,
                error.message.c_str(), row.message);
  CHECK_STRING(error.file, "taskgov.json");
}
END_TEST

// ---------------------------------------------------------------- accepted files
const char* const kIssueExample = R"({
  "cluster": {
    "priority_classes": [ {"name": "inference", "weight": 100},
                          {"name": "training", "weight": 50},
                          {"name": "experimentation", "weight": 10} ],
    "admission": "task-ranking",
    "idle_compute": "fcfs",
    "share_unassigned": false,
    "mode": "shadow",
    "unmapped_accounts": "allow",
    "proportional_defaults": false, "enforce_derived": true,
    "preempt_mode": "cancel",
    "cycle_seconds": 30,
    "audit_log": "/var/log/slurm/taskgov-audit.log"
  },
  "teams": [
    { "name": "nlp", "account": "nlp", "fair_share_weight": 10,
      "sharing": "lend", "borrow_limit_percent": 200,
      "absolute_borrow_limits": [{"gres": "gpu:h100", "count": 4}],
      "preempt_team_tasks": "never",
      "quota": [ {"instance_type": "p5.48xlarge", "accelerators": 2},
                 {"gres": "gpu:a100", "count": 4, "cpus": 64, "memory": "256G"},
                 {"instance_type": "trn1.32xlarge", "count": 1},
                 {"cpus": 32, "memory": 131072} ] }
  ]
})";

START_TEST(every_setting_is_read) {
  Policy policy = policy_from_json(kIssueExample);
  const ClusterSettings& c = policy.cluster;
  ck_assert_int_eq(c.priority_classes.size(), 3);
  CHECK_STRING(c.priority_classes[2].name, "experimentation");
  ck_assert_int_eq(c.priority_classes[0].weight, 100);
  ck_assert_int_eq(c.priority_classes[2].weight, 10);
  ck_assert(c.admission == Admission::TaskRanking);
  ck_assert(c.idle_compute == IdleCompute::Fcfs);
  ck_assert(!c.share_unassigned);
  ck_assert(c.mode == Mode::Shadow);
  ck_assert(c.unmapped_accounts == UnmappedAccounts::Allow);
  ck_assert(!c.proportional_defaults);
  ck_assert(c.enforce_derived);
  ck_assert(c.preempt_mode == PreemptMode::Cancel);
  ck_assert_int_eq(c.cycle_seconds, 30);
  CHECK_STRING(c.audit_log, "/var/log/slurm/taskgov-audit.log");

  ck_assert_int_eq(policy.teams.size(), 1);
  const Team& nlp = policy.teams[0];
  CHECK_STRING(nlp.name, "nlp");
  CHECK_STRING(nlp.account, "nlp");
  ck_assert_int_eq(nlp.fair_share_weight, 10);
  ck_assert(nlp.sharing == Sharing::Lend);
  ck_assert_int_eq(nlp.borrow_limit_percent, 200);
  ck_assert(nlp.preempt_team_tasks == PreemptTeamTasks::Never);
  ck_assert_int_eq(nlp.where.line, 17);
  ck_assert_int_eq(nlp.where.column, 5);
  CHECK_STRING(nlp.where.path, "teams[0]");
  ck_assert_int_eq(nlp.absolute_borrow_limits.size(), 1);
  ck_assert(nlp.absolute_borrow_limits[0].kind == QuotaEntry::Kind::Gres);
  ck_assert_int_eq(nlp.absolute_borrow_limits[0].count, 4);
}
END_TEST

START_TEST(quota_entries_keep_form_amounts_and_position) {
  Policy policy = policy_from_json(kIssueExample);
  const std::vector<QuotaEntry>& quota = policy.teams[0].quota;
  ck_assert_int_eq(quota.size(), 4);

  ck_assert(quota[0].kind == QuotaEntry::Kind::InstanceAccelerators);
  CHECK_STRING(quota[0].instance_type, "p5.48xlarge");
  ck_assert_int_eq(quota[0].count, 2);
  ck_assert(!quota[0].cpus && !quota[0].memory_mib);
  // An entry points at the value naming its resource: that is what resolution can reject.
  CHECK_STRING(quota[0].where.path, "teams[0].quota[0].instance_type");
  ck_assert_int_eq(quota[0].where.line, 21);
  ck_assert_int_eq(quota[0].where.column, 36);

  ck_assert(quota[1].kind == QuotaEntry::Kind::Gres);
  CHECK_STRING(quota[1].gres, "gpu:a100");
  ck_assert_int_eq(quota[1].count, 4);
  ck_assert_int_eq(*quota[1].cpus, 64);
  ck_assert_int_eq(*quota[1].memory_mib, 256 * kGiB);
  CHECK_STRING(quota[1].where.path, "teams[0].quota[1].gres");
  ck_assert_int_eq(quota[1].where.line, 22);
  ck_assert_int_eq(quota[1].where.column, 27);

  ck_assert(quota[2].kind == QuotaEntry::Kind::InstanceCount);
  CHECK_STRING(quota[2].instance_type, "trn1.32xlarge");
  ck_assert_int_eq(quota[2].count, 1);

  ck_assert(quota[3].kind == QuotaEntry::Kind::CpuMemory);
  ck_assert_int_eq(*quota[3].cpus, 32);
  ck_assert_int_eq(*quota[3].memory_mib, 128 * kGiB);
  CHECK_STRING(quota[3].where.path, "teams[0].quota[3]");
  ck_assert_int_eq(quota[3].where.line, 24);
  ck_assert_int_eq(quota[3].where.column, 18);
}
END_TEST

START_TEST(absent_settings_take_documented_defaults) {
  Policy policy = policy_from_json(R"({
    "cluster": {"priority_classes": [{"name": "normal", "weight": 50}]},
    "teams": [{"name": "nlp", "account": "nlp", "quota": []}]
  })");
  const ClusterSettings& c = policy.cluster;
  ck_assert(c.admission == Admission::Fcfs);
  ck_assert(c.idle_compute == IdleCompute::FairShare);
  ck_assert(c.share_unassigned);
  ck_assert(c.mode == Mode::Enforce);
  ck_assert(c.unmapped_accounts == UnmappedAccounts::Reject);
  ck_assert(c.proportional_defaults);
  ck_assert(c.preempt_mode == PreemptMode::Requeue);
  ck_assert_int_eq(c.cycle_seconds, 5);
  CHECK_STRING(c.audit_log, "");
  const Team& team = policy.teams[0];
  ck_assert_int_eq(team.fair_share_weight, 1);
  ck_assert(team.sharing == Sharing::LendAndBorrow);
  ck_assert_int_eq(team.borrow_limit_percent, 50);
  ck_assert_int_eq(team.absolute_borrow_limits.size(), 0);
  ck_assert(team.preempt_team_tasks == PreemptTeamTasks::LowerPriority);
  ck_assert_int_eq(team.quota.size(), 0);
  CHECK_STRING(policy.file, "taskgov.json");
}
END_TEST

START_TEST(empty_team_list_is_valid) {
  Policy policy = policy_from_json(
      R"({"cluster": {"priority_classes": [{"name": "a", "weight": 0}]}, "teams": []})");
  ck_assert_int_eq(policy.teams.size(), 0);
}
END_TEST

START_TEST(failed_parse_keeps_the_last_good_policy) {
  Policy policy = policy_from_json(kIssueExample);
  PolicyError error;
  ck_assert(!parse_policy(R"({"cluster": {}, "teams": []})", "new.json", &policy, &error));
  CHECK_STRING(policy.file, "taskgov.json");
  ck_assert_int_eq(policy.teams.size(), 1);
  ck_assert_int_eq(policy.cluster.cycle_seconds, 30);
}
END_TEST

// ---------------------------------------------------------------- files and messages
START_TEST(error_text_is_file_line_column_path_message) {
  PolicyError located{"taskgov.json", {"teams[0].quota[1].count", 12, 20}, "expected ..."};
  CHECK_STRING(located.to_string(), "taskgov.json:12:20: teams[0].quota[1].count: expected ...");
  PolicyError unpathed{"taskgov.json", {"", 3, 1}, "invalid JSON: x"};
  CHECK_STRING(unpathed.to_string(), "taskgov.json:3:1: invalid JSON: x");
  PolicyError unlocated{"/etc/slurm/taskgov.json", {}, "cannot read the policy file: x"};
  CHECK_STRING(unlocated.to_string(), "/etc/slurm/taskgov.json: cannot read the policy file: x");
}
END_TEST

START_TEST(policy_file_is_read_from_disk) {
  char path[] = "/tmp/taskgov-test-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  std::string text = fill(kClusterField, R"("cycle_seconds": 0)");
  ck_assert_int_eq(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  Policy policy;
  PolicyError error;
  bool loaded = load_policy_file(path, &policy, &error);
  unlink(path);
  ck_assert(!loaded);
  CHECK_STRING(error.to_string(),
               std::string(path) +
                   ":4:22: cluster.cycle_seconds: expected an integer 1–300, found 0; use a value "
                   "from 1 to 300");
}
END_TEST

START_TEST(unreadable_policy_file_names_the_reason) {
  Policy policy;
  PolicyError error;
  ck_assert(!load_policy_file("/nonexistent/taskgov.json", &policy, &error));
  ck_assert_int_eq(error.where.line, 0);
  CHECK_STRING(error.to_string(),
               "/nonexistent/taskgov.json: cannot read the policy file: No such file or directory");
  ck_assert(!load_policy_file("/", &policy, &error));
  CHECK_STRING(error.to_string(), "/: cannot read the policy file: Is a directory");
}
END_TEST

START_TEST(settings_spell_as_in_the_file) {
  CHECK_STRING(std::string(name_of(Admission::Fcfs)), "fcfs");
  CHECK_STRING(std::string(name_of(Admission::TaskRanking)), "task-ranking");
  CHECK_STRING(std::string(name_of(IdleCompute::FairShare)), "fair-share");
  CHECK_STRING(std::string(name_of(IdleCompute::Fcfs)), "fcfs");
  CHECK_STRING(std::string(name_of(Mode::Enforce)), "enforce");
  CHECK_STRING(std::string(name_of(Mode::Shadow)), "shadow");
  CHECK_STRING(std::string(name_of(UnmappedAccounts::Reject)), "reject");
  CHECK_STRING(std::string(name_of(UnmappedAccounts::Allow)), "allow");
  CHECK_STRING(std::string(name_of(PreemptMode::Requeue)), "requeue");
  CHECK_STRING(std::string(name_of(PreemptMode::Cancel)), "cancel");
  CHECK_STRING(std::string(name_of(Sharing::Lend)), "lend");
  CHECK_STRING(std::string(name_of(Sharing::DontLend)), "dont-lend");
  CHECK_STRING(std::string(name_of(Sharing::LendAndBorrow)), "lend-and-borrow");
  CHECK_STRING(std::string(name_of(PreemptTeamTasks::LowerPriority)), "lower-priority");
  CHECK_STRING(std::string(name_of(PreemptTeamTasks::Never)), "never");
}
END_TEST

// ---------------------------------------------------------------- lookups
START_TEST(lookups_find_teams_accounts_and_classes) {
  Policy policy = policy_from_json(R"({
    "cluster": {"priority_classes": [{"name": "inference", "weight": 100},
                                     {"name": "training", "weight": 50}]},
    "teams": [{"name": "nlp", "account": "nlp-research", "quota": []},
              {"name": "Vision", "account": "vision", "quota": []}]
  })");
  ck_assert_int_eq(policy.find_team("nlp"), 0);
  ck_assert_int_eq(policy.find_team("Vision"), 1);
  ck_assert_int_eq(policy.find_team("vision"), -1);
  ck_assert_int_eq(policy.find_team_by_account("nlp-research"), 0);
  ck_assert_int_eq(policy.find_team_by_account("vision"), 1);
  ck_assert_int_eq(policy.find_team_by_account("nlp"), -1);
  ck_assert_int_eq(policy.find_class("training"), 1);
  ck_assert_int_eq(policy.find_class("experimentation"), -1);
}
END_TEST

struct LowestRow {
  const char* rule;
  std::vector<PriorityClass> classes;
  int lowest;
};

const LowestRow kLowest[] = {
    {"smallest weight", {{"inference", 100}, {"experimentation", 10}, {"training", 50}}, 1},
    {"tie goes to the last listed", {{"a", 10}, {"b", 10}, {"c", 50}}, 1},
    {"all equal", {{"a", 0}, {"b", 0}, {"c", 0}}, 2},
    {"single class", {{"normal", 50}}, 0},
    {"no classes", {}, -1},
};

START_TEST(lowest_class_is_the_smallest_weight_last_on_ties) {
  const LowestRow& row = kLowest[_i];
  Policy policy;
  policy.cluster.priority_classes = row.classes;
  ck_assert_msg(policy.lowest_class() == row.lowest, "%s: %d, want %d", row.rule,
                policy.lowest_class(), row.lowest);
}
END_TEST

// ---------------------------------------------------------------- locator
const char* const kLocated =
    "{\n"
    "  \"cluster\": {\"admission\": \"fcfs\"},\n"
    "  \"teams\": [\n"
    "    {\"name\": \"nlp\", \"quota\": [{\"count\": 8}, {\"cpus\": 4}]},\n"
    "    {\"n\\u0061me\": \"cv\", \"a b\": [true, null, -1.5e3]}\n"
    "  ]\n"
    "}";

struct LocatedRow {
  const char* path;
  int value_line;
  int value_column;
  int key_line;
  int key_column;
};

const LocatedRow kLocatedRows[] = {
    {"", 1, 1, 1, 1},
    {"cluster", 2, 14, 2, 3},
    {"cluster.admission", 2, 28, 2, 15},
    {"teams", 3, 12, 3, 3},
    {"teams[0]", 4, 5, 4, 5},
    {"teams[0].name", 4, 14, 4, 6},
    {"teams[0].quota[1].cpus", 4, 54, 4, 46},
    {"teams[1].name", 5, 19, 5, 6},  // the key is written with an escape
    {"teams[1][\"a b\"][2]", 5, 45, 5, 45},
    {"teams[2]", 0, 0, 0, 0},
    {"cluster.mode", 0, 0, 0, 0},
};

START_TEST(locator_finds_values_and_keys) {
  const LocatedRow& row = kLocatedRows[_i];
  JsonLocator locator(kLocated);
  TextPosition value = locator.value(row.path);
  TextPosition key = locator.key(row.path);
  ck_assert_msg(value.line == row.value_line && value.column == row.value_column,
                "%s: value at %d:%d, want %d:%d", row.path, value.line, value.column,
                row.value_line, row.value_column);
  ck_assert_msg(key.line == row.key_line && key.column == row.key_column,
                "%s: key at %d:%d, want %d:%d", row.path, key.line, key.column, row.key_line,
                row.key_column);
  ck_assert(!locator.duplicate());
}
END_TEST

START_TEST(locator_reports_the_first_repeated_key) {
  JsonLocator locator("{\"a\": {\"b\": 1,\n\"b\": {\"c\": 1, \"c\": 2}}}");
  ck_assert(locator.duplicate().has_value());
  CHECK_STRING(locator.duplicate()->path, "a.b");
  CHECK_STRING(locator.duplicate()->key, "b");
  ck_assert_int_eq(locator.duplicate()->first.line, 1);
  ck_assert_int_eq(locator.duplicate()->first.column, 8);
  ck_assert_int_eq(locator.duplicate()->second.line, 2);
  ck_assert_int_eq(locator.duplicate()->second.column, 1);
  ck_assert_int_eq(locator.value("a.b").column, 13);  // the first one stays
}
END_TEST

START_TEST(locator_stops_safely_on_broken_text) {
  const char* broken[] = {"{\"a\": [1, 2", "{\"a\": \"unterminated", "{\"a\\", "{\"a\": \"\\u12",
                          "[[[[", "{\"a\" 1}", "", "}"};
  for (const char* text : broken) {
    JsonLocator locator(text);
    ck_assert_int_eq(locator.value("b").line, 0);
  }
  JsonLocator partial("{\"a\": [1, 2");
  ck_assert_int_eq(partial.value("a[1]").column, 11);
}
END_TEST

struct PathRow {
  const char* parent;
  const char* key;
  const char* path;
};

const PathRow kPaths[] = {
    {"", "cluster", "cluster"},
    {"cluster", "admission", "cluster.admission"},
    {"teams[0]", "fair_share_weight", "teams[0].fair_share_weight"},
    {"nodes[0].gres", "gpu:h100", "nodes[0].gres[\"gpu:h100\"]"},
    {"", "a b", "[\"a b\"]"},
    {"x", "", "x[\"\"]"},
    {"x", "say \"hi\"\\", "x[\"say \\\"hi\\\"\\\\\"]"},
    {"x", "tab\there", "x[\"tab\\u0009here\"]"},
};

START_TEST(paths_read_like_the_file) {
  const PathRow& row = kPaths[_i];
  CHECK_STRING(json_path_member(row.parent, row.key), row.path);
}
END_TEST

START_TEST(element_paths_use_brackets) {
  CHECK_STRING(json_path_element("teams", 2), "teams[2]");
  CHECK_STRING(json_path_element("teams[2].quota", 0), "teams[2].quota[0]");
}
END_TEST

}  // namespace

int main() {
  Suite* suite = suite_create("policy_parse");
  TCase* errors = tcase_create("errors");
  tcase_add_loop_test(errors, every_error_names_position_path_expectation_and_fix, 0,
                      sizeof kErrors / sizeof kErrors[0]);
  suite_add_tcase(suite, errors);

  TCase* accepted = tcase_create("accepted");
  tcase_add_test(accepted, every_setting_is_read);
  tcase_add_test(accepted, quota_entries_keep_form_amounts_and_position);
  tcase_add_test(accepted, absent_settings_take_documented_defaults);
  tcase_add_test(accepted, empty_team_list_is_valid);
  tcase_add_test(accepted, failed_parse_keeps_the_last_good_policy);
  suite_add_tcase(suite, accepted);

  TCase* files = tcase_create("files");
  tcase_add_test(files, error_text_is_file_line_column_path_message);
  tcase_add_test(files, policy_file_is_read_from_disk);
  tcase_add_test(files, unreadable_policy_file_names_the_reason);
  tcase_add_test(files, settings_spell_as_in_the_file);
  suite_add_tcase(suite, files);

  TCase* lookups = tcase_create("lookups");
  tcase_add_test(lookups, lookups_find_teams_accounts_and_classes);
  tcase_add_loop_test(lookups, lowest_class_is_the_smallest_weight_last_on_ties, 0,
                      sizeof kLowest / sizeof kLowest[0]);
  suite_add_tcase(suite, lookups);

  TCase* locator = tcase_create("locator");
  tcase_add_loop_test(locator, locator_finds_values_and_keys, 0,
                      sizeof kLocatedRows / sizeof kLocatedRows[0]);
  tcase_add_test(locator, locator_reports_the_first_repeated_key);
  tcase_add_test(locator, locator_stops_safely_on_broken_text);
  tcase_add_loop_test(locator, paths_read_like_the_file, 0, sizeof kPaths / sizeof kPaths[0]);
  tcase_add_test(locator, element_paths_use_brackets);
  suite_add_tcase(suite, locator);

  SRunner* runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
