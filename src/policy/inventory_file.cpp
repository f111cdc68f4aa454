// SPDX-License-Identifier: GPL-2.0-or-later
#include "policy/inventory_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "policy/json_reader.h"

namespace taskgov {

namespace {

constexpr int64_t kMaxNodes = 100000;
constexpr int64_t kMaxNodeCpus = 1000000;
constexpr int64_t kMaxGresCount = 1000000;
constexpr Amount kMaxNodeMemoryMib = Amount{1} << 30;  // 1 PiB

struct NodeGroup {
  int64_t count = 1;
  std::vector<std::string> features;
  int64_t cpus = 0;
  Amount memory_mib = 0;
  std::vector<std::pair<std::string, Amount>> gres;
};

class InventoryParser {
 public:
  InventoryParser(std::string_view text, const std::string& file) : reader_(text, file) {}

  bool inventory(json_t* root, Inventory* out) {
    if (!reader_.expect_object(root, "", "an object with \"nodes\"") ||
        !reader_.only_keys(root, "", {"nodes"}) ||
        !reader_.require(root, "", "nodes", "\"nodes\": [{\"cpus\": 64, \"memory\": \"256G\"}]")) {
      return false;
    }
    json_t* nodes = json_object_get(root, "nodes");
    if (!reader_.expect_array(nodes, "nodes", "a list of node groups")) return false;
    size_t index = 0;
    json_t* value = nullptr;
    json_array_foreach(nodes, index, value) {
      NodeGroup group;
      if (!node_group(value, json_path_element("nodes", index), &group)) return false;
      for (int64_t n = 0; n < group.count; ++n) {
        out->add_node(group.features, group.cpus, group.memory_mib, group.gres);
      }
    }
    return true;
  }

  const PolicyError& error() const { return reader_.error(); }

 private:
  bool node_group(json_t* object, const std::string& path, NodeGroup* out) {
    json_t* count = json_object_get(object, "count");
    return reader_.expect_object(object, path,
                                 "a node group such as {\"count\": 2, \"cpus\": 64, \"memory\": "
                                 "\"256G\"}") &&
           reader_.only_keys(object, path,
                             {"name", "count", "features", "cpus", "memory", "gres"}) &&
           reader_.require(object, path, "cpus", "\"cpus\": 64") &&
           reader_.require(object, path, "memory", "\"memory\": \"256G\"") && name(object, path) &&
           (count == nullptr || reader_.as_integer(count, json_path_member(path, "count"), 1,
                                                   kMaxNodes, &out->count)) &&
           features(object, path, &out->features) &&
           reader_.as_integer(json_object_get(object, "cpus"), json_path_member(path, "cpus"), 1,
                              kMaxNodeCpus, &out->cpus) &&
           reader_.as_memory(json_object_get(object, "memory"), json_path_member(path, "memory"),
                             kMaxNodeMemoryMib, &out->memory_mib) &&
           gres(object, path, &out->gres);
  }

  // The name only helps whoever reads the file; it must still be a string.
  bool name(json_t* object, const std::string& parent) {
    json_t* value = json_object_get(object, "name");
    std::string ignored;
    return value == nullptr ||
           reader_.as_string(value, json_path_member(parent, "name"), "a node name", &ignored);
  }

  bool features(json_t* object, const std::string& parent, std::vector<std::string>* out) {
    json_t* list = json_object_get(object, "features");
    if (list == nullptr) return true;
    std::string path = json_path_member(parent, "features");
    if (!reader_.expect_array(list, path, "a list of node Features")) return false;
    size_t index = 0;
    json_t* value = nullptr;
    json_array_foreach(list, index, value) {
      std::string feature;
      std::string item = json_path_element(path, index);
      std::string_view expected = "a node Feature such as \"p5.48xlarge\"";
      if (!reader_.as_string(value, item, expected, &feature)) return false;
      if (feature.empty()) return reader_.fail_expected(value, item, expected, "remove it");
      out->push_back(std::move(feature));
    }
    return true;
  }

  bool gres(json_t* object, const std::string& parent,
            std::vector<std::pair<std::string, Amount>>* out) {
    json_t* map = json_object_get(object, "gres");
    if (map == nullptr) return true;
    std::string path = json_path_member(parent, "gres");
    if (!reader_.expect_object(map, path, "an object of GRES counts such as {\"gpu:h100\": 8}")) {
      return false;
    }
    const char* key = nullptr;
    json_t* value = nullptr;
    json_object_foreach(map, key, value) {
      std::string item = json_path_member(path, key);
      std::string fix = gres_spelling_fix(key);
      if (!fix.empty()) {
        return reader_.fail(reader_.where_key(item),
                            fmt::format("expected a GRES \"name\" or \"name:type\" such as "
                                        "\"gpu:h100\", found \"{}\"; {}",
                                        key, fix));
      }
      int64_t count = 0;
      if (!reader_.as_integer(value, item, 0, kMaxGresCount, &count)) return false;
      out->emplace_back(key, count);
    }
    return true;
  }

  JsonReader reader_;
};

}  // namespace

bool parse_inventory(std::string_view text, const std::string& file, Inventory* inventory,
                     PolicyError* error) {
  JsonPtr root = decode_json(text, file, error);
  if (!root) return false;
  Inventory parsed;
  InventoryParser parser(text, file);
  if (!parser.inventory(root.get(), &parsed)) {
    *error = parser.error();
    return false;
  }
  *inventory = std::move(parsed);
  return true;
}

bool load_inventory_file(const std::string& file, Inventory* inventory, PolicyError* error) {
  std::string text;
  if (!read_text_file(file, &text)) {
    *error = {file, {}, fmt::format("cannot read the inventory file: {}", std::strerror(errno))};
    return false;
  }
  return parse_inventory(text, file, inventory, error);
}

}  // namespace taskgov
