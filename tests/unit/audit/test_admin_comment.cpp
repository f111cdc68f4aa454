// SPDX-License-Identifier: GPL-2.0-or-later
// The AdminComment records (audit/admin_comment.h): each format read back as written.
#include <check.h>

#include <cstring>
#include <string>
#include <vector>

#include "abi/taskgov.h"
#include "audit/admin_comment.h"
#include "builders.h"
#include "table_cases.h"

using namespace taskgov;
using taskgov::test::count_of;

namespace {

START_TEST(admin_comment_fields) {
  AdminRecord r = parse_admin_comment(
      "taskgov:team=nlp;class=training;borrowed=cpu:96+mem:1048576+gres/gpu:h100:4;"
      "preempted_by=36;reason=reclaim;preempted_by=41;reason=fair-share;note without equals");
  CHECK_STRING(r.team, "nlp");
  CHECK_STRING(r.klass, "training");
  ck_assert_uint_eq(r.borrowed.size(), 3);
  CHECK_STRING(r.borrowed[2].first, "gres/gpu:h100");
  ck_assert_int_eq(r.borrowed[2].second, 4);
  ck_assert_int_eq(r.borrowed[1].second, 1048576);
  ck_assert_uint_eq(r.preemptions.size(), 2);
  ck_assert_uint_eq(r.preemptions[0].preemptor, 36);
  CHECK_STRING(r.preemptions[0].reason, "reclaim");
  CHECK_STRING(r.preemptions[1].reason, "fair-share");
}
END_TEST

START_TEST(admin_comment_without_prefix_or_reason) {
  AdminRecord r = parse_admin_comment("preempted_by=7;preempted_by=x;preempted_by=8;reason=priority");
  ck_assert_uint_eq(r.preemptions.size(), 2);
  CHECK_STRING(r.preemptions[0].reason, "");  // the reason after 8 is 8's
  CHECK_STRING(r.preemptions[1].reason, "priority");
  ck_assert_uint_eq(parse_admin_comment("").preemptions.size(), 0);
}
END_TEST

START_TEST(borrowed_field_format) {
  std::vector<std::pair<std::string, Amount>> items;
  ck_assert(parse_borrowed("gres/gpu:h100:4+cpu:96+mem:512G", &items));
  ck_assert_uint_eq(items.size(), 3);
  ck_assert_int_eq(items[2].second, 512 * 1024);
  ck_assert(!parse_borrowed("gres/gpu:h100", &items));  // "h100" is no amount
  ck_assert(!parse_borrowed(":4", &items));
}
END_TEST

START_TEST(restamping_keeps_the_other_fields) {
  const struct {
    const char* existing;
    const char* want;
  } cases[] = {
      {"", "taskgov:team=nlp;class=training"},
      {"taskgov:team=vision;class=inference;preempted_by=7;reason=reclaim",
       "taskgov:team=nlp;class=training;preempted_by=7;reason=reclaim"},
      {"set by an admin", "taskgov:team=nlp;class=training;set by an admin"},
  };
  for (const auto& c : cases) CHECK_STRING(stamp_admin_comment(c.existing, "nlp", "training"), c.want);
}
END_TEST

// Stamp, then preemptions, then borrowing, as a job collects them over its life.
const struct {
  const char* name;
  const char* existing;
  const char* team;
  const char* klass;
  std::vector<std::pair<uint32_t, PreemptReason>> preemptions;
  std::vector<std::pair<std::string, Amount>> borrowed;
  const char* want;
} kRoundTrips[] = {
    {"fresh job", "", "nlp", "training", {}, {}, "taskgov:team=nlp;class=training"},
    {"borrowed then reclaimed", "", "nlp", "experimentation", {{4712, PreemptReason::Reclaim}},
     {{"gres/gpu:h100", 4}, {"cpu", 96}, {"mem", 1048576}},
     "taskgov:team=nlp;class=experimentation;preempted_by=4712;reason=reclaim;"
     "borrowed=gres/gpu:h100:4+cpu:96+mem:1048576"},
    {"two preemptions after an admin's note", "keep me", "vision", "inference",
     {{7, PreemptReason::Priority}, {8, PreemptReason::FairShare}}, {},
     "taskgov:team=vision;class=inference;keep me;preempted_by=7;reason=priority;preempted_by=8;"
     "reason=fair-share"},
};

START_TEST(records_read_back_as_written) {
  const auto& c = kRoundTrips[_i];
  std::string comment = stamp_admin_comment(c.existing, c.team, c.klass);
  for (const auto& [by, reason] : c.preemptions) comment += ";" + preemption_fields(by, reason);
  if (!c.borrowed.empty()) comment += ";" + borrowed_field(c.borrowed);
  ck_assert_msg(comment == c.want, "%s: %s, want %s", c.name, comment.c_str(), c.want);

  AdminRecord r = parse_admin_comment(comment);
  CHECK_STRING(r.team, c.team);
  CHECK_STRING(r.klass, c.klass);
  ck_assert_uint_eq(r.preemptions.size(), c.preemptions.size());
  for (size_t i = 0; i < c.preemptions.size(); ++i) {
    ck_assert_uint_eq(r.preemptions[i].preemptor, c.preemptions[i].first);
    CHECK_STRING(r.preemptions[i].reason, reason_name(c.preemptions[i].second));
  }
  ck_assert_msg(r.borrowed == c.borrowed, "%s: borrowed= did not read back", c.name);
  ck_assert(admin_comment_has(comment, "preempted_by") == !c.preemptions.empty());
  ck_assert(admin_comment_has(comment, "borrowed") == !c.borrowed.empty());
  // A stamped job restamped with the same team and class is unchanged.
  CHECK_STRING(stamp_admin_comment(comment, c.team, c.klass), comment);
}
END_TEST

const struct {
  const char* comment;
  const char* key;
  bool want;
} kHasCases[] = {
    {"taskgov:team=nlp;class=training", "team", true},
    {"taskgov:team=nlp;class=training", "borrowed", false},
    {"preempted_by=7;reason=reclaim", "preempted_by", true},
    {"taskgov:team=nlp;note about borrowed=", "borrowed", false},  // the key of a field, not text
    {"taskgov:team=nlp;xborrowed=cpu:1", "borrowed", false},
    {"", "team", false},
    {"taskgov:team=nlp", "", false},
};

START_TEST(has_finds_whole_keys_only) {
  const auto& c = kHasCases[_i];
  ck_assert_msg(admin_comment_has(c.comment, c.key) == c.want, "'%s' has '%s': want %d", c.comment, c.key,
                c.want);
  ck_assert_int_eq(tg_admin_comment_has(c.comment, c.key), c.want ? 1 : 0);
}
END_TEST

START_TEST(reason_names_read_back) {
  for (PreemptReason reason : kPreemptReasons) ck_assert(reason_of_name(reason_name(reason)) == reason);
  ck_assert(reason_of_name("none") == PreemptReason::None);
  ck_assert(reason_of_name("Reclaim") == PreemptReason::None);
}
END_TEST

START_TEST(abi_formats_preemption_fields) {
  char out[64];
  ck_assert_uint_eq(tg_format_preemption(4712, TG_REASON_RECLAIM, out, sizeof out), 32);
  ck_assert_str_eq(out, "preempted_by=4712;reason=reclaim");
  ck_assert_uint_eq(tg_format_preemption(7, TG_REASON_FAIR_SHARE, out, sizeof out), 32);
  ck_assert_str_eq(out, "preempted_by=7;reason=fair-share");
  // No reason, an unknown one, or no room: nothing written.
  ck_assert_uint_eq(tg_format_preemption(7, TG_REASON_NONE, out, sizeof out), 0);
  ck_assert_uint_eq(tg_format_preemption(7, 9, out, sizeof out), 0);
  ck_assert_uint_eq(tg_format_preemption(4712, TG_REASON_RECLAIM, out, 32), 0);
  ck_assert_uint_eq(tg_format_preemption(4712, TG_REASON_RECLAIM, nullptr, 0), 0);
  ck_assert_int_eq(tg_admin_comment_has(nullptr, "borrowed"), 0);
}
END_TEST

Suite* admin_comment_suite() {
  Suite* s = suite_create("admin_comment");
  TCase* tc = tcase_create("formats");
  tcase_add_test(tc, admin_comment_fields);
  tcase_add_test(tc, admin_comment_without_prefix_or_reason);
  tcase_add_test(tc, borrowed_field_format);
  tcase_add_test(tc, restamping_keeps_the_other_fields);
  tcase_add_loop_test(tc, records_read_back_as_written, 0, count_of(kRoundTrips));
  tcase_add_loop_test(tc, has_finds_whole_keys_only, 0, count_of(kHasCases));
  tcase_add_test(tc, reason_names_read_back);
  tcase_add_test(tc, abi_formats_preemption_fields);
  suite_add_tcase(s, tc);
  return s;
}

}  // namespace

int main() {
  SRunner* runner = srunner_create(admin_comment_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
