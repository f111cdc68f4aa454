// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/engine.h"

#include <algorithm>
#include <numeric>

#include "engine/cycle_detail.h"
#include "engine/fair_sharing.h"

namespace taskgov {

uint32_t EngineConfig::enforced_mask(size_t team) const {
  const uint32_t derived = policy.cluster.enforce_derived ? 0 : resolved.teams[team].proportional_mask;
  return enforced_resources(derived, resources());
}

int EngineConfig::weight_of_class(int32_t klass) const {
  if (klass < 0 || static_cast<size_t>(klass) >= class_weight.size()) return -1;
  return class_weight[static_cast<size_t>(klass)];
}

bool build_config(Policy policy, Inventory inventory, std::shared_ptr<const EngineConfig>* out,
                  PolicyError* error) {
  auto config = std::make_shared<EngineConfig>();
  if (!resolve_policy(policy, inventory, &config->resolved, error)) return false;
  const ClusterSettings& cluster = policy.cluster;
  config->rules.task_ranking = cluster.admission == Admission::TaskRanking;
  config->rules.fair_share = cluster.idle_compute == IdleCompute::FairShare;
  config->all_weights_zero = true;
  for (size_t t = 0; t < policy.teams.size(); ++t) {
    const Team& team = policy.teams[t];
    config->rules.teams.push_back(
        TeamRules{team.preempt_team_tasks == PreemptTeamTasks::LowerPriority});
    config->team_by_account.emplace(team.account, static_cast<int>(t));
    if (team.fair_share_weight > 0) config->all_weights_zero = false;
  }
  // Under fcfs admission classes are recorded only: they neither order the queue nor choose
  // victims, so every class weighs the same for the rules.
  for (const PriorityClass& c : cluster.priority_classes)
    config->class_weight.push_back(config->rules.task_ranking ? c.weight : 0);
  config->class_rank = class_ranks(cluster);
  config->policy = std::move(policy);
  config->inventory = std::move(inventory);
  *out = std::move(config);
  return true;
}

namespace {

std::vector<TeamUsage> team_usage(const EngineConfig& config, const Snapshot& snapshot,
                                  ResourceVector* ungoverned_use) {
  const int n = config.resources();
  std::vector<TeamUsage> teams(config.policy.teams.size());
  for (size_t t = 0; t < teams.size(); ++t) {
    teams[t].nominal = config.resolved.teams[t].nominal;
    teams[t].borrow_cap = config.resolved.teams[t].borrow_cap;
    teams[t].sharing = config.policy.teams[t].sharing;
  }
  for (const RunningJob& job : snapshot.running) {
    if (job.team >= 0 && static_cast<size_t>(job.team) < teams.size())
      teams[static_cast<size_t>(job.team)].used += job.alloc;
    else
      *ungoverned_use += job.alloc;
  }
  for (TeamUsage& t : teams) {
    t.borrowed = borrowed_amount(t.nominal, t.used, n);
    t.lendable = lendable_amount(t.sharing, t.nominal, t.used, n);
  }
  return teams;
}

Share team_share(const EngineConfig& config, const CycleResult& cycle, size_t team,
                 const ResourceVector& borrowed) {
  return weighted_share(borrowed, cycle.pool, config.policy.teams[team].fair_share_weight,
                        config.all_weights_zero, config.resources());
}

// The global victim order: lowest class first, then the team most over its share, then the
// youngest job. Returns running positions, first victim first.
std::vector<uint32_t> victim_order(const CycleResult& cycle, const std::vector<Share>& share_now) {
  const size_t count = cycle.running.size();
  // Teams ranked by their share now, most over first (equal shares share a rank); the
  // ungoverned count as one more team with share 0. Comparing ranks instead of Shares keeps
  // the sort on small flat keys.
  const size_t none = share_now.size();
  std::vector<Share> shares = share_now;
  shares.push_back(Share{});
  std::vector<uint32_t> by_share(shares.size());
  std::iota(by_share.begin(), by_share.end(), 0u);
  std::sort(by_share.begin(), by_share.end(),
            [&](uint32_t a, uint32_t b) { return shares[b] < shares[a]; });
  std::vector<uint32_t> share_rank_of(shares.size(), 0);
  for (size_t k = 1; k < by_share.size(); ++k) {
    bool tie = shares[by_share[k]] == shares[by_share[k - 1]];
    share_rank_of[by_share[k]] = share_rank_of[by_share[k - 1]] + (tie ? 0 : 1);
  }
  auto rank_of = [&](size_t i) {
    const int32_t team = cycle.victims[i].team;
    return VictimRank{cycle.victims[i].class_weight, share_rank_of[team >= 0 ? static_cast<size_t>(team) : none],
                      cycle.running[i].start_time, cycle.running[i].id};
  };
  std::vector<uint32_t> order(count);
  std::vector<detail::Key128> keys(count);
  bool packed = true;
  for (size_t i = 0; i < count && packed; ++i)
    packed = detail::pack_victim_key(rank_of(i), static_cast<uint32_t>(i), &keys[i]);
  if (packed) {
    detail::radix_sort_above_position(&keys);
    for (size_t k = 0; k < count; ++k) order[k] = detail::position_of(keys[k]);
  } else {
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return preempted_before(rank_of(a), rank_of(b)); });
  }
  return order;
}

// Victim facts, the borrowed excess and the victim rank of every running job. Returns, per
// team, the running jobs of its borrowed excess in the order it keeps them (the reverse of the
// order it loses them).
std::vector<std::vector<const ResourceVector*>> judge_running(const EngineConfig& config,
                                                              CycleResult* cycle) {
  const int n = config.resources();
  const size_t count = cycle->running.size();
  const size_t teams = cycle->teams.size();
  cycle->running_verdicts.assign(count, RunningVerdict{});
  cycle->victims.assign(count, VictimFacts{});

  std::vector<Share> share_now(teams);
  for (size_t t = 0; t < teams; ++t)
    share_now[t] = team_share(config, *cycle, t, cycle->teams[t].borrowed);
  for (size_t i = 0; i < count; ++i) {
    const RunningJob& job = cycle->running[i];
    if (job.team < 0 || static_cast<size_t>(job.team) >= teams) continue;  // ungoverned
    VictimFacts& v = cycle->victims[i];
    v.team = job.team;
    v.class_weight = config.weight_of_class(job.klass);
    v.team_share_now = share_now[static_cast<size_t>(job.team)];
    v.team_share_after_loss = v.team_share_now;
  }

  std::vector<uint32_t> order = victim_order(*cycle, share_now);
  for (uint32_t rank = 0; rank < count; ++rank)
    cycle->running_verdicts[order[rank]].victim_rank = rank;

  // Within one team the victim order is the excess order (class ascending, newest first), so
  // each borrowing team's jobs are listed in that order by one walk of the victim order, and
  // borrowed_excess() sorts input that is already sorted (its comparisons then predict well:
  // unsorted, these per-team sorts cost more than the victim order itself).
  std::vector<std::vector<uint32_t>> by_team(teams);
  for (uint32_t i : order) {
    int32_t team = cycle->victims[i].team;
    if (team >= 0 && !cycle->teams[static_cast<size_t>(team)].borrowed.is_zero())
      by_team[static_cast<size_t>(team)].push_back(i);
  }
  std::vector<std::vector<const ResourceVector*>> kept(teams);
  for (size_t t = 0; t < teams; ++t) {
    if (by_team[t].empty()) continue;
    const TeamUsage& usage = cycle->teams[t];
    std::vector<RunningForExcess> jobs;
    jobs.reserve(by_team[t].size());
    for (uint32_t i : by_team[t]) {
      const RunningJob& job = cycle->running[i];
      jobs.push_back({cycle->victims[i].class_weight, job.start_time, job.id, &job.alloc});
    }
    std::vector<uint32_t> masks = borrowed_excess(jobs, usage.borrowed, n);
    for (size_t k = 0; k < jobs.size(); ++k) {
      if (masks[k] == 0) continue;
      const uint32_t i = by_team[t][k];
      VictimFacts& v = cycle->victims[i];
      v.excess_mask = masks[k];
      cycle->running_verdicts[i].excess_mask = masks[k];
      ResourceVector after = usage.borrowed;
      const ResourceVector& alloc = cycle->running[i].alloc;
      for (int r = 0; r < n; ++r) after[r] = std::max<Amount>(0, after[r] - alloc[r]);
      v.team_share_after_loss = team_share(config, *cycle, t, after);
    }
    for (size_t k = jobs.size(); k-- > 0;)
      if (masks[k] != 0) kept[t].push_back(&cycle->running[by_team[t][k]].alloc);
  }
  return kept;
}

// Who wants the pool, team by team, in each team's own order (team_demand_before).
std::vector<TeamDemand> team_demand(const EngineConfig& config, const CycleResult& cycle,
                                    std::vector<std::vector<const ResourceVector*>> kept) {
  std::vector<uint32_t> eligible;
  std::vector<TeamPendingRank> ranks;
  for (size_t i = 0; i < cycle.pending.size(); ++i) {
    const PendingJob& job = cycle.pending[i];
    if (job.team < 0 || static_cast<size_t>(job.team) >= cycle.teams.size() || !job.eligible) continue;
    uint8_t class_rank = 0;
    if (job.klass >= 0 && static_cast<size_t>(job.klass) < config.class_rank.size())
      class_rank = config.class_rank[static_cast<size_t>(job.klass)];
    eligible.push_back(static_cast<uint32_t>(i));
    ranks.push_back({job.team, class_rank, job.submit_time, job.id});
  }
  std::vector<detail::Key128> keys(eligible.size());
  bool packed = true;
  for (size_t k = 0; k < eligible.size() && packed; ++k)
    packed = detail::pack_team_demand_key(ranks[k], static_cast<uint32_t>(k), &keys[k]);
  std::vector<int32_t> team_of(eligible.size());
  std::vector<uint32_t> sorted(eligible.size());
  if (packed) {
    detail::radix_sort_above_position(&keys);
    for (size_t k = 0; k < keys.size(); ++k) {
      sorted[k] = eligible[detail::position_of(keys[k])];
      team_of[k] = detail::team_of_key(keys[k]);  // no trip to the job
    }
  } else {
    std::vector<uint32_t> order(eligible.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return team_demand_before(ranks[a], ranks[b]); });
    for (size_t k = 0; k < order.size(); ++k) {
      sorted[k] = eligible[order[k]];
      team_of[k] = ranks[order[k]].team;
    }
  }
  eligible = std::move(sorted);
  std::vector<TeamDemand> demand(cycle.teams.size());
  for (size_t t = 0; t < demand.size(); ++t) {
    demand[t].weight = config.policy.teams[t].fair_share_weight;
    demand[t].running = std::move(kept[t]);
  }
  // Sorted by team: each team's jobs are one run of `eligible`.
  for (size_t k = 0, end = 0; k < eligible.size(); k = end) {
    const int32_t team = team_of[k];
    for (end = k; end < eligible.size() && team_of[end] == team; ++end) {}
    demand[static_cast<size_t>(team)].pending.assign(eligible.begin() + static_cast<std::ptrdiff_t>(k),
                                                      eligible.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return demand;
}

// What a pending job's team and request alone decide; its class and submit time are added
// per job.
struct RequestVerdict {
  Band band = Band::Blocked;
  int8_t holding = -1;
  bool borrows = false;     // in the borrowing band, or blocked only by the pool
  uint16_t share_rank = 0;  // only for borrowing jobs (or waiting to) under fair-share
  uint32_t need_mask = 0;
  Share share_after;        // its team's share after admitting it (borrowing jobs only)
};

RequestVerdict judge_request(const EngineConfig& config, const CycleResult& cycle, size_t team,
                             const ResourceVector& req) {
  const int n = config.resources();
  AdmissionCheck check = admission_band(cycle.teams[team], req, n);
  RequestVerdict out;
  out.band = check.band;
  out.holding = check.holding;
  out.borrows = check.band == Band::Borrow || check.pool_only;
  if (out.borrows) {
    out.share_after = team_share(config, cycle, team, check.borrowed_after);
    // Jobs waiting only for the pool to free up rank among themselves by share too, so that
    // when the lender's capacity comes back the team with the smallest share gets it first.
    // (Eligible jobs get their cumulative rank from the division instead.)
    if (config.rules.fair_share) out.share_rank = share_rank(out.share_after);
  }
  // Only the catalog's n resources: nonzero_mask() reads all kMaxResources amounts.
  for (int r = 0; r < n; ++r) out.need_mask |= static_cast<uint32_t>(req[r] > 0) << r;
  return out;
}

// Also collects the job ids for the pending index: one pass over the 100k job records
// instead of two (the records are large, the pass is memory-bound).
void judge_pending(const EngineConfig& config, const Division& division, CycleResult* cycle,
                   std::vector<uint32_t>* ids) {
  const size_t count = cycle->pending.size();
  // Written once each, in order (no zero-fill first): these arrays are megabytes.
  cycle->pending_verdicts.clear();
  cycle->pending_verdicts.reserve(count);
  cycle->preemptors.clear();
  cycle->preemptors.reserve(count);
  ids->resize(count);
  detail::RequestMemo<RequestVerdict> memo(config.resources());
  bool use_memo = true;
  size_t lookups = 0, hits = 0;
  for (size_t i = 0; i < count; ++i) {
    const PendingJob& job = cycle->pending[i];
    PendingVerdict& verdict = cycle->pending_verdicts.emplace_back();
    PreemptorFacts& facts = cycle->preemptors.emplace_back();
    (*ids)[i] = job.id;
    if (job.team < 0 || static_cast<size_t>(job.team) >= cycle->teams.size()) {
      verdict.band = Band::InQuota;
      verdict.priority = pending_priority(0, job.submit_time, cycle->now);
      continue;
    }
    RequestVerdict fresh;
    const RequestVerdict* known = nullptr;
    if (use_memo) {
      uint64_t hash = 0;
      known = memo.find(job.team, job.req, &hash);
      ++lookups;
      if (known) {
        ++hits;
      } else {
        fresh = judge_request(config, *cycle, static_cast<size_t>(job.team), job.req);
        memo.insert(hash, job.team, job.req, fresh);
        known = &fresh;
      }
      // A full memo that mostly misses (requests all differ) only costs: stop asking it.
      use_memo = !memo.full() || hits * 2 >= lookups;
    } else {
      fresh = judge_request(config, *cycle, static_cast<size_t>(job.team), job.req);
      known = &fresh;
    }
    const RequestVerdict& judged = *known;
    uint8_t class_rank = 0;
    if (job.klass >= 0 && static_cast<size_t>(job.klass) < config.class_rank.size())
      class_rank = config.class_rank[static_cast<size_t>(job.klass)];
    uint16_t rank = judged.share_rank;
    if (config.rules.fair_share && judged.borrows && division.share_rank[i] != Division::kUnranked)
      rank = division.share_rank[i];
    verdict.band = judged.band;
    verdict.holding = judged.holding;
    verdict.tier = governance_tier(judged.band, class_rank, rank);
    verdict.priority = pending_priority(verdict.tier, job.submit_time, cycle->now);
    facts.team = job.team;
    facts.class_weight = config.weight_of_class(job.klass);
    facts.fits_in_quota = judged.band == Band::InQuota;
    facts.borrows = judged.borrows;
    facts.need_mask = judged.need_mask;
    facts.share_after = judged.share_after;
  }
}

template <typename Job>
void index_jobs(const std::vector<Job>& jobs, JobIndex* index) {
  std::vector<uint32_t> ids;
  ids.reserve(jobs.size());
  for (const Job& job : jobs) ids.push_back(job.id);
  index->build(ids);
}

}  // namespace

std::shared_ptr<const CycleResult> compute_cycle(std::shared_ptr<const EngineConfig> config,
                                                 Snapshot snapshot) {
  auto cycle = std::make_shared<CycleResult>();
  const EngineConfig& cfg = *config;
  const int n = cfg.resources();
  cycle->now = snapshot.now;
  cycle->teams = team_usage(cfg, snapshot, &cycle->ungoverned_use);

  ResourceVector nominal_total;
  for (const TeamUsage& t : cycle->teams) nominal_total += t.nominal;
  ResourceVector unassigned =
      unassigned_amount(cfg.policy.cluster.share_unassigned, cfg.resolved.capacity, nominal_total,
                        cycle->ungoverned_use, n);
  ResourceVector unassigned_capacity =
      unassigned_amount(cfg.policy.cluster.share_unassigned, cfg.resolved.capacity, nominal_total,
                        ResourceVector{}, n);
  cycle->pool = lending_pool(cycle->teams, unassigned, unassigned_capacity, n);
  attribute_lending(&cycle->teams, cycle->pool, n);

  cycle->running = std::move(snapshot.running);
  cycle->pending = std::move(snapshot.pending);
  std::vector<TeamDemand> demand = team_demand(cfg, *cycle, judge_running(cfg, cycle.get()));
  Division division = divide_idle_capacity(cycle->teams, demand, cycle->pending, cycle->pool,
                                           cfg.all_weights_zero, n);
  for (size_t t = 0; t < cycle->teams.size(); ++t) cycle->teams[t].limit = division.limit[t];
  std::vector<uint32_t> pending_ids;
  judge_pending(cfg, division, cycle.get(), &pending_ids);
  index_jobs(cycle->running, &cycle->running_index);
  cycle->pending_index.build(pending_ids);
  cycle->config = std::move(config);
  return cycle;
}

bool Engine::set_policy(Policy policy, Inventory inventory, PolicyError* error) {
  std::shared_ptr<const EngineConfig> config;
  if (!build_config(std::move(policy), std::move(inventory), &config, error)) return false;
  config_ = std::move(config);
  result_.reset();
  return true;
}

int Engine::team_for_lineage(const std::vector<std::string>& lineage) const {
  if (!config_) return -1;
  for (const std::string& account : lineage) {
    auto it = config_->team_by_account.find(account);
    if (it != config_->team_by_account.end()) return it->second;
  }
  return -1;
}

bool Engine::publish(std::shared_ptr<const CycleResult> result) {
  if (!result || result->config != config_) return false;
  site_factors_.keep_pending(result->pending_index);
  result_ = std::move(result);
  return true;
}

std::shared_ptr<const CycleResult> Engine::run_cycle(Snapshot snapshot) {
  if (!config_) return nullptr;
  auto result = compute_cycle(config_, std::move(snapshot));
  publish(result);
  return result;
}

PreemptReason Engine::may_preempt(uint32_t preemptor_id, int32_t preemptor_team,
                                  int32_t preemptor_class, const ResourceVector* request,
                                  uint32_t victim_id) const {
  const CycleResult* cycle = result_.get();
  if (!cycle) return PreemptReason::None;
  uint32_t v = cycle->running_index.find(victim_id);
  if (v == JobIndex::kAbsent) return PreemptReason::None;
  uint32_t p = cycle->pending_index.find(preemptor_id);
  if (p != JobIndex::kAbsent)
    return preempt_reason(cycle->config->rules, cycle->preemptors[p], cycle->victims[v]);

  // Submitted since the cycle: judged by its own request against its team's state then.
  if (!request || preemptor_team < 0 || static_cast<size_t>(preemptor_team) >= cycle->teams.size())
    return PreemptReason::None;
  const EngineConfig& config = *cycle->config;
  RequestVerdict judged =
      judge_request(config, *cycle, static_cast<size_t>(preemptor_team), *request);
  PreemptorFacts facts;
  facts.team = preemptor_team;
  facts.class_weight = config.weight_of_class(preemptor_class);
  facts.fits_in_quota = judged.band == Band::InQuota;
  facts.borrows = judged.borrows;
  facts.need_mask = judged.need_mask;
  facts.share_after = judged.share_after;
  return preempt_reason(config.rules, facts, cycle->victims[v]);
}

std::vector<Victim> Engine::victims_for(uint32_t pending_id) const {
  const CycleResult* cycle = result_.get();
  if (!cycle) return {};
  uint32_t p = cycle->pending_index.find(pending_id);
  if (p == JobIndex::kAbsent || !cycle->pending[p].eligible) return {};
  const PreemptorFacts& facts = cycle->preemptors[p];
  if (facts.team < 0) return {};
  const int n = cycle->config->resources();
  const TeamUsage& team = cycle->teams[static_cast<size_t>(facts.team)];
  const ResourceVector& req = cycle->pending[p].req;
  ResourceVector shortfall;
  for (int r = 0; r < n; ++r)
    shortfall[r] = std::max<Amount>(0, team.used[r] + req[r] - team.limit[r]);
  if (shortfall.is_zero()) return {};
  // Only its own team's lower classes: what they free stays under the same limit, so it serves
  // this job. Reclaim and fair share never need this path: the division of idle capacity
  // gives the preemptor's team the limit first, and Slurm's own placement-aware preemption
  // (preempt/taskgov) does the rest.
  std::vector<VictimCandidate> candidates;
  for (size_t v = 0; v < cycle->running.size(); ++v) {
    if (preempt_reason(cycle->config->rules, facts, cycle->victims[v]) != PreemptReason::Priority)
      continue;
    candidates.push_back({cycle->running[v].id, cycle->running_verdicts[v].victim_rank,
                          &cycle->running[v].alloc});
  }
  std::vector<Victim> victims;
  for (uint32_t id : minimal_victim_set(std::move(candidates), shortfall, n))
    victims.push_back({id, PreemptReason::Priority});
  return victims;
}

std::vector<uint32_t> Engine::preemptors_held_by_limits() const {
  const CycleResult* cycle = result_.get();
  if (!cycle) return {};
  std::vector<int64_t> best(cycle->teams.size(), -1);
  for (size_t i = 0; i < cycle->pending.size(); ++i) {
    int32_t team = cycle->pending[i].team;
    if (team < 0 || !cycle->pending[i].eligible) continue;
    int64_t& b = best[static_cast<size_t>(team)];
    if (b < 0 || runs_before(pending_rank(*cycle, i), pending_rank(*cycle, static_cast<size_t>(b))))
      b = static_cast<int64_t>(i);
  }
  std::vector<uint32_t> out;
  for (int64_t b : best) {
    if (b < 0) continue;
    uint32_t id = cycle->pending[static_cast<size_t>(b)].id;
    if (!victims_for(id).empty()) out.push_back(id);
  }
  return out;
}

}  // namespace taskgov
