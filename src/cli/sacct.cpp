// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/sacct.h"

#include <jansson.h>

#include <fmt/format.h>

#include "cli/output.h"
#include "cli/subprocess.h"

namespace taskgov::cli {

namespace {

std::string string_at(json_t* object, const char* key) {
  const char* value = json_string_value(json_object_get(object, key));
  return value ? value : "";
}

int64_t integer_at(json_t* object, const char* key) {
  return json_integer_value(json_object_get(object, key));
}

// "current": "PREEMPTED" up to data_parser v0.0.38 (22.05); a list of the base state and its
// flags since, the base state first ("current": ["PREEMPTED"] from 24.11's v0.0.42).
std::string state_of(json_t* state) {
  json_t* current = json_object_get(state, "current");
  if (json_is_array(current)) current = json_array_get(current, 0);
  const char* value = json_string_value(current);
  return value ? value : "";
}

SacctJob read_job(json_t* job) {
  SacctJob out;
  out.id = static_cast<uint32_t>(integer_at(job, "job_id"));
  out.account = string_at(job, "account");
  out.user = string_at(job, "user");
  out.qos = string_at(job, "qos");
  out.state = state_of(json_object_get(job, "state"));
  out.admin_comment = string_at(json_object_get(job, "comment"), "administrator");
  out.nodes = string_at(job, "nodes");
  json_t* time = json_object_get(job, "time");
  out.submit = integer_at(time, "submission");
  out.start = integer_at(time, "start");
  out.end = integer_at(time, "end");
  size_t i;
  json_t* tres;
  json_array_foreach(json_object_get(json_object_get(job, "tres"), "allocated"), i, tres) {
    std::string type = string_at(tres, "type");
    std::string name = string_at(tres, "name");
    out.allocated.emplace_back(name.empty() ? type : type + "/" + name, integer_at(tres, "count"));
  }
  return out;
}

}  // namespace

bool parse_sacct_json(std::string_view text, std::vector<SacctJob>* jobs, std::string* error) {
  json_error_t json_error;
  JsonPtr root(json_loadb(text.data(), text.size(), 0, &json_error));
  json_t* list = root ? json_object_get(root.get(), "jobs") : nullptr;
  if (!json_is_array(list)) {
    *error = root ? "sacct --json printed no \"jobs\" array"
                  : fmt::format("sacct --json printed no JSON: line {}: {}", json_error.line, json_error.text);
    return false;
  }
  jobs->clear();
  size_t i;
  json_t* job;
  json_array_foreach(list, i, job) jobs->push_back(read_job(job));
  return true;
}

bool run_sacct(const std::vector<std::string>& arguments, std::vector<SacctJob>* jobs,
               std::string* error) {
  std::vector<std::string> argv = {"sacct", "--json"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  CommandResult result = run_command(argv);
  if (!result.started || result.status != 0) {
    *error = describe_failure(argv, result);
    return false;
  }
  return parse_sacct_json(result.out, jobs, error);
}

}  // namespace taskgov::cli
