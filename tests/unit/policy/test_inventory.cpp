// SPDX-License-Identifier: GPL-2.0-or-later
// The cluster inventory: identical nodes grouped into shapes, Feature and GRES lookups,
// capacity per resource, and the hand-written inventory file of `taskgov check --inventory`.
#include <check.h>

#include <string>

#include "builders.h"
#include "policy/inventory.h"
#include "policy/inventory_file.h"

using namespace taskgov;
using namespace taskgov::test;

namespace {

// ---------------------------------------------------------------- shapes
START_TEST(identical_nodes_form_one_shape) {
  Inventory inventory = reference_inventory();
  ck_assert_int_eq(inventory.shapes().size(), 3);
  const NodeShape& h100 = inventory.shapes()[0];
  ck_assert_int_eq(h100.node_count, 2);
  ck_assert_int_eq(h100.cpus, 192);
  ck_assert_int_eq(h100.memory_mib, 2 * kTiB);
  ck_assert_int_eq(inventory.shapes()[1].node_count, 2);
  ck_assert_int_eq(inventory.shapes()[2].node_count, 1);
}
END_TEST

// Slurm lists Features and GRES in whatever order slurm.conf has them, and may split one
// type by socket ("gpu:h100:4(S:0),gpu:h100:4(S:1)").
START_TEST(shape_ignores_order_and_per_socket_splits) {
  Inventory inventory;
  inventory.add_node({"p5.48xlarge", "ib"}, 192, 2 * kTiB, {{"gpu:h100", 8}});
  inventory.add_node({"ib", "p5.48xlarge"}, 192, 2 * kTiB, {{"gpu:h100", 4}, {"gpu:h100", 4}});
  inventory.add_node({"p5.48xlarge", "ib", "ib"}, 192, 2 * kTiB,
                     {{"gpu:h100", 8}, {"shard", 0}});
  ck_assert_int_eq(inventory.shapes().size(), 1);
  ck_assert_int_eq(inventory.shapes()[0].node_count, 3);
  ck_assert_int_eq(inventory.shapes()[0].gres.size(), 1);
  ck_assert_int_eq(inventory.shapes()[0].gres_count("gpu:h100"), 8);
}
END_TEST

struct ShapeDifference {
  const char* name;
  std::vector<std::string> features;
  Amount cpus;
  Amount memory_mib;
  std::vector<std::pair<std::string, Amount>> gres;
};

const ShapeDifference kDifferences[] = {
    {"features", {"p5e.48xlarge"}, 192, 2 * kTiB, {{"gpu:h100", 8}}},
    {"cpus", {"p5.48xlarge"}, 190, 2 * kTiB, {{"gpu:h100", 8}}},
    {"memory", {"p5.48xlarge"}, 192, 2 * kTiB - 1024, {{"gpu:h100", 8}}},
    {"gres count", {"p5.48xlarge"}, 192, 2 * kTiB, {{"gpu:h100", 7}}},
    {"gres type", {"p5.48xlarge"}, 192, 2 * kTiB, {{"gpu:h200", 8}}},
};

START_TEST(any_difference_makes_a_new_shape) {
  const ShapeDifference& row = kDifferences[_i];
  Inventory inventory = one_eight_gpu_node();
  inventory.add_node(row.features, row.cpus, row.memory_mib, row.gres);
  ck_assert_msg(inventory.shapes().size() == 2, "%s: %zu shapes, want 2", row.name,
                inventory.shapes().size());
  ck_assert_int_eq(inventory.shapes()[1].node_count, 1);
}
END_TEST

struct GresCountRow {
  const char* gres;
  Amount h100_node;  // count on a p5.48xlarge node
  Amount trn_node;   // count on the trn1.32xlarge node
};

const GresCountRow kGresCounts[] = {
    {"gpu:h100", 8, 0},
    {"gpu", 8, 0},  // untyped counts every type, as Slurm's gres/gpu TRES
    {"gpu:a100", 0, 0},
    {"gp", 0, 0},
    {"neuron", 0, 16},
    {"neuron:trn1", 0, 0},
};

START_TEST(gres_count_matches_typed_and_untyped_names) {
  const GresCountRow& row = kGresCounts[_i];
  Inventory inventory = reference_inventory();
  ck_assert_int_eq(inventory.shapes()[0].gres_count(row.gres), row.h100_node);
  ck_assert_int_eq(inventory.shapes()[2].gres_count(row.gres), row.trn_node);
}
END_TEST

START_TEST(feature_lookup_finds_the_instance_type_shape) {
  Inventory inventory = reference_inventory();
  auto p4d = inventory.shapes_with_feature("p4d.24xlarge");
  ck_assert_int_eq(p4d.size(), 1);
  ck_assert_int_eq(p4d[0]->cpus, 128);
  ck_assert(p4d[0]->has_feature("p4d.24xlarge"));
  ck_assert(!p4d[0]->has_feature("p5.48xlarge"));
  ck_assert_int_eq(inventory.shapes_with_feature("p6.48xlarge").size(), 0);
}
END_TEST

START_TEST(gres_names_are_distinct_and_sorted) {
  Inventory inventory = reference_inventory();
  inventory.add_node({"p5.48xlarge"}, 192, 1 * kTiB, {{"gpu:h100", 8}});
  auto names = inventory.gres_names();
  ck_assert_int_eq(names.size(), 3);
  CHECK_STRING(names[0], "gpu:a100");
  CHECK_STRING(names[1], "gpu:h100");
  CHECK_STRING(names[2], "neuron");
}
END_TEST

// ---------------------------------------------------------------- capacity
START_TEST(capacity_sums_every_node) {
  ResourceCatalog catalog;
  ResourceVector capacity = reference_inventory().capacity(&catalog);
  ck_assert_int_eq(catalog.size(), 5);
  CHECK_STRING(catalog.name(2), "gres/gpu:a100");
  CHECK_STRING(catalog.name(3), "gres/gpu:h100");
  CHECK_STRING(catalog.name(4), "gres/neuron");
  ck_assert_int_eq(capacity[ResourceCatalog::kCpu], 2 * 192 + 2 * 128 + 128);
  ck_assert_int_eq(capacity[ResourceCatalog::kMem], 2 * 2 * kTiB + 2 * kTiB + 512 * kGiB);
  ck_assert_int_eq(capacity[2], 8);
  ck_assert_int_eq(capacity[3], 16);
  ck_assert_int_eq(capacity[4], 16);
}
END_TEST

START_TEST(capacity_fills_names_already_in_the_catalog) {
  ResourceCatalog catalog;
  int gpu = catalog.add("gres/gpu");          // untyped, as a policy may name it
  int b200 = catalog.add("gres/gpu:b200");    // planned, no node has it yet
  ResourceVector capacity = reference_inventory().capacity(&catalog);
  ck_assert_int_eq(capacity[gpu], 16 + 8);
  ck_assert_int_eq(capacity[b200], 0);
  ck_assert_int_eq(catalog.size(), 7);
}
END_TEST

// ---------------------------------------------------------------- inventory file
const char* const kReferenceFile = R"({
  "nodes": [
    {"name": "h100-[1-2]", "count": 2, "features": ["p5.48xlarge"],
     "cpus": 192, "memory": "2T", "gres": {"gpu:h100": 8}},
    {"name": "a100-[1-2]", "count": 2, "features": ["p4d.24xlarge"],
     "cpus": 128, "memory": 1048576, "gres": {"gpu:a100": 4}},
    {"features": ["trn1.32xlarge"], "cpus": 128, "memory": "512G", "gres": {"neuron": 16}}
  ]
})";

START_TEST(inventory_file_builds_the_same_shapes) {
  Inventory inventory;
  PolicyError error;
  ck_assert_msg(parse_inventory(kReferenceFile, "inventory.json", &inventory, &error), "%s",
                error.to_string().c_str());
  ck_assert_int_eq(inventory.shapes().size(), 3);
  ck_assert_int_eq(inventory.shapes()[0].node_count, 2);
  ck_assert_int_eq(inventory.shapes()[1].memory_mib, kTiB);
  ck_assert_int_eq(inventory.shapes()[2].node_count, 1);  // count defaults to 1
  ResourceCatalog catalog;
  ResourceCatalog reference_catalog;
  ResourceVector capacity = inventory.capacity(&catalog);
  ResourceVector reference = reference_inventory().capacity(&reference_catalog);
  for (int r = 0; r < catalog.size(); ++r) ck_assert_int_eq(capacity[r], reference[r]);
}
END_TEST

struct FileErrorRow {
  const char* name;
  const char* node;  // placed at line 2, column 3
  int line;
  int column;
  const char* path;
  const char* message;
};

// {"nodes": [
//   @@
// ]}
const FileErrorRow kFileErrors[] = {
    {"node not an object", "5", 2, 3, "nodes[0]",
     "expected a node group such as {\"count\": 2, \"cpus\": 64, \"memory\": \"256G\"}, found 5; "
     "write it in { }"},
    {"missing cpus", R"({"memory": "1T"})", 2, 3, "nodes[0]",
     "missing required key \"cpus\"; add it, e.g. \"cpus\": 64"},
    {"missing memory", R"({"cpus": 8})", 2, 3, "nodes[0]",
     "missing required key \"memory\"; add it, e.g. \"memory\": \"256G\""},
    {"unknown key", R"({"cpu": 8, "memory": "1T"})", 2, 4, "nodes[0].cpu",
     "unknown key \"cpu\"; did you mean \"cpus\"? allowed keys: name, count, features, cpus, "
     "memory, gres"},
    {"cpus as text", R"({"cpus": "8", "memory": "1T"})", 2, 12, "nodes[0].cpus",
     "expected an integer 1–1000000, found string \"8\"; write it without quotes: 8"},
    {"zero count", R"({"count": 0, "cpus": 8, "memory": "1T"})", 2, 13, "nodes[0].count",
     "expected an integer 1–100000, found 0; use a value from 1 to 100000"},
    {"memory unit", R"({"cpus": 8, "memory": "2TiB"})", 2, 25, "nodes[0].memory",
     "expected memory such as \"512G\", \"2T\", \"1024M\" or a number of MiB, found string "
     "\"2TiB\"; write \"2T\""},
    {"feature not text", R"({"cpus": 8, "memory": "1T", "features": [5]})", 2, 44,
     "nodes[0].features[0]",
     "expected a node Feature such as \"p5.48xlarge\", found 5; put it in quotes: \"5\""},
    {"gres with count in name", R"({"cpus": 8, "memory": "1T", "gres": {"gpu:h100:8": 8}})", 2,
     40, "nodes[0].gres[\"gpu:h100:8\"]",
     "expected a GRES \"name\" or \"name:type\" such as \"gpu:h100\", found \"gpu:h100:8\"; the "
     "number is the count, not part of the name: \"gpu:h100\""},
    {"gres count negative", R"({"cpus": 8, "memory": "1T", "gres": {"neuron": -1}})", 2, 50,
     "nodes[0].gres.neuron",
     "expected an integer 0–1000000, found -1; use a value from 0 to 1000000"},
};

START_TEST(inventory_file_errors_point_at_the_value) {
  const FileErrorRow& row = kFileErrors[_i];
  std::string text = std::string("{\"nodes\": [\n  ") + row.node + "\n]}";
  Inventory inventory;
  PolicyError error;
  ck_assert_msg(!parse_inventory(text, "inventory.json", &inventory, &error), "%s: parsed",
                row.name);
  ck_assert_msg(error.where.line == row.line && error.where.column == row.column,
                "%s: at %d:%d, want %d:%d", row.name, error.where.line, error.where.column,
                row.line, row.column);
  CHECK_STRING(error.file, "inventory.json");
  CHECK_STRING(error.where.path, row.path);
  CHECK_STRING(error.message, row.message);
}
END_TEST

START_TEST(unreadable_inventory_file_names_the_file_and_reason) {
  Inventory inventory;
  PolicyError error;
  ck_assert(!load_inventory_file("/nonexistent/inventory.json", &inventory, &error));
  CHECK_STRING(error.to_string(),
               "/nonexistent/inventory.json: cannot read the inventory file: No such file or "
               "directory");
}
END_TEST

}  // namespace

int main() {
  Suite* suite = suite_create("inventory");
  TCase* shapes = tcase_create("shapes");
  tcase_add_test(shapes, identical_nodes_form_one_shape);
  tcase_add_test(shapes, shape_ignores_order_and_per_socket_splits);
  tcase_add_loop_test(shapes, any_difference_makes_a_new_shape, 0,
                      sizeof kDifferences / sizeof kDifferences[0]);
  tcase_add_loop_test(shapes, gres_count_matches_typed_and_untyped_names, 0,
                      sizeof kGresCounts / sizeof kGresCounts[0]);
  tcase_add_test(shapes, feature_lookup_finds_the_instance_type_shape);
  tcase_add_test(shapes, gres_names_are_distinct_and_sorted);
  suite_add_tcase(suite, shapes);

  TCase* capacity = tcase_create("capacity");
  tcase_add_test(capacity, capacity_sums_every_node);
  tcase_add_test(capacity, capacity_fills_names_already_in_the_catalog);
  suite_add_tcase(suite, capacity);

  TCase* file = tcase_create("file");
  tcase_add_test(file, inventory_file_builds_the_same_shapes);
  tcase_add_loop_test(file, inventory_file_errors_point_at_the_value, 0,
                      sizeof kFileErrors / sizeof kFileErrors[0]);
  tcase_add_test(file, unreadable_inventory_file_names_the_file_and_reason);
  suite_add_tcase(suite, file);

  SRunner* runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? 0 : 1;
}
