// SPDX-License-Identifier: GPL-2.0-or-later
// Resource names and amounts: the catalog, vector arithmetic, and memory in Slurm's spelling.
#include <check.h>

#include <string>

#include "builders.h"
#include "policy/resources.h"
#include "policy/slurm_strings.h"

using namespace taskgov;
using taskgov::test::kGiB;
using taskgov::test::kTiB;

namespace {

// ---------------------------------------------------------------- memory syntax
struct MemoryRow {
  const char* text;
  bool ok;
  Amount mib;
};

const MemoryRow kMemoryRows[] = {
    {"512G", true, 512 * kGiB},
    {"2T", true, 2 * kTiB},
    {"1024M", true, 1024},
    {"64K", true, 1},  // Slurm rounds K up to a whole MiB
    {"1024K", true, 1},
    {"1025K", true, 2},
    {"100", true, 100},  // a bare number is MiB
    {"0", true, 0},
    {"2g", true, 2 * kGiB},
    {"3t", true, 3 * kTiB},
    {"9223372036854775807", true, 9223372036854775807},
    // Slurm's str_to_mbytes takes a B after the unit, in either case, still in powers of 1024.
    {"512GB", true, 512 * kGiB},
    {"512gb", true, 512 * kGiB},
    {"512Gb", true, 512 * kGiB},
    {"64kb", true, 1},
    {"64KB", true, 1},
    {"1024MB", true, 1024},
    {"2TB", true, 2 * kTiB},
    {"1P", true, 1024 * kTiB},
    {"3p", true, 3 * 1024 * kTiB},
    {"1PB", true, 1024 * kTiB},
    {"8589934591P", true, 8589934591 * 1024 * kTiB},
    {"8589934592P", false, 0},  // 2^63 MiB: one above int64
    {"512GiB", false, 0},
    {"512BG", false, 0},
    {"512GBB", false, 0},
    {"512B", false, 0},
    {"", false, 0},
    {"-1", false, 0},
    {"-512G", false, 0},
    {"+5", false, 0},
    {"G", false, 0},
    {"12X", false, 0},
    {"1.5G", false, 0},
    {" 512G", false, 0},
    {"512G ", false, 0},
    {"lots", false, 0},
    {"9223372036854775808", false, 0},  // one above int64
    {"8796093022208T", false, 0},       // overflows when scaled to MiB
    {"9007199254740992G", false, 0},
};

START_TEST(parse_memory_accepts_slurm_spellings_and_rejects_the_rest) {
  const MemoryRow& row = kMemoryRows[_i];
  Amount mib = -7;
  bool ok = parse_memory_mib(row.text, &mib);
  ck_assert_msg(ok == row.ok, "\"%s\": parsed=%d, want %d", row.text, ok, row.ok);
  if (row.ok) {
    ck_assert_msg(mib == row.mib, "\"%s\" = %lld MiB, want %lld", row.text,
                  static_cast<long long>(mib), static_cast<long long>(row.mib));
  } else {
    ck_assert_msg(mib == -7, "\"%s\": output written on failure", row.text);
  }
}
END_TEST

struct FormatRow {
  Amount mib;
  const char* text;
};

const FormatRow kFormatRows[] = {
    {512 * kGiB, "512G"}, {2 * kTiB, "2T"},        {1536, "1536M"},  {1536 * kGiB, "1536G"},
    {100, "100M"},        {0, "0"},                {kGiB, "1G"},     {-512 * kGiB, "-512G"},
    {kTiB + 1, "1048577M"}, {6656 * kGiB, "6656G"},
};

START_TEST(format_memory_keeps_the_largest_exact_unit) {
  const FormatRow& row = kFormatRows[_i];
  CHECK_STRING(format_memory_mib(row.mib), row.text);
}
END_TEST

START_TEST(formatted_memory_parses_back_to_the_same_amount) {
  const FormatRow& row = kFormatRows[_i];
  if (row.mib < 0) return;  // negative amounts are differences, never parsed
  Amount mib = 0;
  ck_assert(parse_memory_mib(format_memory_mib(row.mib), &mib));
  ck_assert_int_eq(mib, row.mib);
}
END_TEST

// ---------------------------------------------------------------- catalog
START_TEST(catalog_starts_with_cpu_and_mem) {
  ResourceCatalog catalog;
  ck_assert_int_eq(catalog.size(), 2);
  ck_assert_int_eq(catalog.find("cpu"), ResourceCatalog::kCpu);
  ck_assert_int_eq(catalog.find("mem"), ResourceCatalog::kMem);
  CHECK_STRING(catalog.name(0), "cpu");
  CHECK_STRING(catalog.name(1), "mem");
  ck_assert(!catalog.is_accelerator(ResourceCatalog::kCpu));
  ck_assert(!catalog.is_accelerator(ResourceCatalog::kMem));
}
END_TEST

START_TEST(catalog_add_returns_existing_index_for_known_names) {
  ResourceCatalog catalog;
  ck_assert_int_eq(catalog.add("gres/gpu:h100"), 2);
  ck_assert_int_eq(catalog.add("gres/neuron"), 3);
  ck_assert_int_eq(catalog.add("gres/gpu:h100"), 2);
  ck_assert_int_eq(catalog.add("cpu"), 0);
  ck_assert_int_eq(catalog.size(), 4);
  ck_assert_int_eq(catalog.find("gres/neuron"), 3);
  ck_assert_int_eq(catalog.find("gres/gpu"), -1);
  ck_assert(catalog.is_accelerator(2));
}
END_TEST

START_TEST(catalog_refuses_more_than_max_resources) {
  ResourceCatalog catalog;
  for (int i = 2; i < kMaxResources; ++i) {
    ck_assert_int_eq(catalog.add("gres/type" + std::to_string(i)), i);
  }
  ck_assert_int_eq(catalog.size(), kMaxResources);
  ck_assert_int_eq(catalog.add("gres/one-too-many"), -1);
  ck_assert_int_eq(catalog.size(), kMaxResources);
  ck_assert_int_eq(catalog.add("gres/type2"), 2);  // known names still resolve
}
END_TEST

START_TEST(gres_name_uses_slurm_tres_spelling) {
  CHECK_STRING(ResourceCatalog::gres_name("gpu:h100"), "gres/gpu:h100");
  CHECK_STRING(ResourceCatalog::gres_name("neuron"), "gres/neuron");
}
END_TEST

// ---------------------------------------------------------------- vectors
START_TEST(vector_add_and_subtract_per_resource) {
  ResourceVector a;
  a[0] = 48;
  a[1] = 512 * kGiB;
  a[2] = 2;
  ResourceVector b;
  b[0] = 16;
  b[2] = 3;
  a += b;
  ck_assert_int_eq(a[0], 64);
  ck_assert_int_eq(a[1], 512 * kGiB);
  ck_assert_int_eq(a[2], 5);
  a -= b;
  a -= b;
  ck_assert_int_eq(a[0], 32);
  ck_assert_int_eq(a[2], -1);
}
END_TEST

START_TEST(vector_masks_count_only_positive_amounts) {
  ResourceVector v;
  ck_assert(v.is_zero());
  ck_assert_uint_eq(v.nonzero_mask(), 0);
  v[1] = -4;  // a deficit is not a holding
  ck_assert(v.is_zero());
  v[0] = 1;
  v[15] = 2;
  ck_assert(!v.is_zero());
  ck_assert_uint_eq(v.nonzero_mask(), (1u << 0) | (1u << 15));
}
END_TEST

START_TEST(format_amount_uses_each_resources_unit) {
  ResourceCatalog catalog;
  int gpu = catalog.add("gres/gpu:h100");
  CHECK_STRING(format_amount(catalog, ResourceCatalog::kCpu, 48), "48");
  CHECK_STRING(format_amount(catalog, ResourceCatalog::kMem, 512 * kGiB), "512G");
  CHECK_STRING(format_amount(catalog, gpu, 2), "2");
}
END_TEST

START_TEST(format_vector_is_a_tres_string_without_zeros) {
  ResourceCatalog catalog;
  int h100 = catalog.add("gres/gpu:h100");
  int neuron = catalog.add("gres/neuron");
  ResourceVector v;
  CHECK_STRING(format_vector(catalog, v), "");
  v[ResourceCatalog::kCpu] = 48;
  v[ResourceCatalog::kMem] = 512 * kGiB;
  v[h100] = 2;
  CHECK_STRING(format_vector(catalog, v), "cpu=48,mem=512G,gres/gpu:h100=2");
  v[ResourceCatalog::kCpu] = 0;
  v[neuron] = 16;
  CHECK_STRING(format_vector(catalog, v), "mem=512G,gres/gpu:h100=2,gres/neuron=16");
}
END_TEST

// ---------------------------------------------------------------- TRES strings
// Catalog: cpu, mem, gres/gpu:h100 (2), gres/neuron (3).
struct TresRow {
  const char* text;
  bool ok;
  Amount cpu, mib, h100, neuron;
};

const TresRow kTresRows[] = {
    {"cpu=4,mem=1G,node=1,billing=4,gres/gpu=2,gres/gpu:h100=2", true, 4, kGiB, 2, 0},
    {"mem=2T,gres/neuron=16", true, 0, 2 * kTiB, 0, 16},
    {"mem=1P", true, 0, 1024 * kTiB, 0, 0},
    {"gres/gpu:h100=3,gres/gpu:h100=5", true, 0, 0, 8, 0},  // named twice: summed
    {"", true, 0, 0, 0, 0},
    {"gres/gpu:h100=9223372036854775807", true, 0, 0, 9223372036854775807, 0},
    // Found by fuzzing: a sum beyond int64 wrapped (undefined behaviour) to a negative count.
    {"gres/gpu:h100=9223372036854775807,gres/gpu:h100=1", false, 0, 0, 0, 0},
    {"mem=9223372036854775807,mem=1", false, 0, 0, 0, 0},
    {"cpu=-1", false, 0, 0, 0, 0},
    {"cpu", false, 0, 0, 0, 0},
    {"mem=lots", false, 0, 0, 0, 0},
    {"gres/gpu:h100=99999999999999999999", false, 0, 0, 0, 0},
};

START_TEST(parse_tres_sums_known_resources_and_refuses_what_does_not_fit) {
  const TresRow& row = kTresRows[_i];
  ResourceCatalog catalog;
  int h100 = catalog.add("gres/gpu:h100");
  int neuron = catalog.add("gres/neuron");
  ResourceVector v;
  bool ok = parse_tres(row.text, catalog, &v);
  ck_assert_msg(ok == row.ok, "\"%s\": parsed=%d, want %d", row.text, ok, row.ok);
  if (!row.ok) return;
  ck_assert_int_eq(v[ResourceCatalog::kCpu], row.cpu);
  ck_assert_int_eq(v[ResourceCatalog::kMem], row.mib);
  ck_assert_int_eq(v[h100], row.h100);
  ck_assert_int_eq(v[neuron], row.neuron);
}
END_TEST

// A node's Gres string as slurmctld has it; a count that is no count stays part of the name.
struct NodeGresRow {
  const char* text;
  const char* parsed;  // "name=count;..."
};

const NodeGresRow kNodeGresRows[] = {
    {"gpu:h100:8(S:0-1),neuron:16", "gpu:h100=8;neuron=16;"},
    {"gpu:a100:4(S:0),gpu:h100:2", "gpu:a100=4;gpu:h100=2;"},
    {"gpu", "gpu=1;"},
    {"gpu:h100", "gpu:h100=1;"},
    {"(null)", ""},
    {"", ""},
    // Found by fuzzing: a negative count was rejected but still written, giving -6 units.
    {"neuron:-6", "neuron:-6=1;"},
    {"gpu:99999999999999999999", "gpu:99999999999999999999=1;"},
};

START_TEST(parse_node_gres_reads_counts_and_drops_socket_bindings) {
  const NodeGresRow& row = kNodeGresRows[_i];
  std::string parsed;
  for (const auto& [name, count] : parse_node_gres(row.text)) parsed += name + "=" + std::to_string(count) + ";";
  CHECK_STRING(parsed, row.parsed);
}
END_TEST

}  // namespace

int main() {
  Suite* suite = suite_create("resources");
  TCase* memory = tcase_create("memory");
  tcase_add_loop_test(memory, parse_memory_accepts_slurm_spellings_and_rejects_the_rest, 0,
                      sizeof kMemoryRows / sizeof kMemoryRows[0]);
  tcase_add_loop_test(memory, format_memory_keeps_the_largest_exact_unit, 0,
                      sizeof kFormatRows / sizeof kFormatRows[0]);
  tcase_add_loop_test(memory, formatted_memory_parses_back_to_the_same_amount, 0,
                      sizeof kFormatRows / sizeof kFormatRows[0]);
  suite_add_tcase(suite, memory);

  TCase* catalog = tcase_create("catalog");
  tcase_add_test(catalog, catalog_starts_with_cpu_and_mem);
  tcase_add_test(catalog, catalog_add_returns_existing_index_for_known_names);
  tcase_add_test(catalog, catalog_refuses_more_than_max_resources);
  tcase_add_test(catalog, gres_name_uses_slurm_tres_spelling);
  suite_add_tcase(suite, catalog);

  TCase* vectors = tcase_create("vectors");
  tcase_add_test(vectors, vector_add_and_subtract_per_resource);
  tcase_add_test(vectors, vector_masks_count_only_positive_amounts);
  tcase_add_test(vectors, format_amount_uses_each_resources_unit);
  tcase_add_test(vectors, format_vector_is_a_tres_string_without_zeros);
  suite_add_tcase(suite, vectors);

  TCase* tres = tcase_create("tres");
  tcase_add_loop_test(tres, parse_tres_sums_known_resources_and_refuses_what_does_not_fit, 0,
                      sizeof kTresRows / sizeof kTresRows[0]);
  tcase_add_loop_test(tres, parse_node_gres_reads_counts_and_drops_socket_bindings, 0,
                      sizeof kNodeGresRows / sizeof kNodeGresRows[0]);
  suite_add_tcase(suite, tres);

  SRunner* runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
