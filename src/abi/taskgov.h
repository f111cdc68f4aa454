/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libtaskgov's C ABI: what the slurmctld plugin shims call. Every function is noexcept on the
 * C++ side: errors come back as return codes (and a message where one helps), never as
 * exceptions. The engine is not internally synchronised: inside slurmctld, readers call it
 * under slurmctld's job lock and writers (policy install, publish) under the job write lock.
 * The exceptions: tg_cycle_compute() runs unlocked on what tg_snapshot_new() captured;
 * tg_settings() may be called with no lock (the config it reads is
 * swapped atomically); tg_policy_read() and tg_audit_reopen() must be called with no lock.
 */
#ifndef TASKGOV_H
#define TASKGOV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TG_MAX_RESOURCES 16

/* Every function below is noexcept for C++ callers: errors come back as return codes. */
#ifdef __cplusplus
#define TG_NOEXCEPT noexcept
#else
#define TG_NOEXCEPT
#endif

enum tg_status {
	TG_OK = 0,
	TG_ERROR = -1,     /* bad argument or internal failure; a message says which */
	TG_NO_POLICY = -2, /* no policy has been loaded successfully yet */
	TG_UNKNOWN = -3,   /* the job, team or class is not known to the engine */
};

enum tg_reason { TG_REASON_NONE = 0, TG_REASON_RECLAIM, TG_REASON_PRIORITY, TG_REASON_FAIR_SHARE };

typedef struct tg_engine tg_engine_t;
typedef struct tg_inventory tg_inventory_t;
typedef struct tg_snapshot tg_snapshot_t;
typedef struct tg_cycle tg_cycle_t;
typedef struct tg_policy tg_policy_t;

const char *tg_version(void) TG_NOEXCEPT;

/* The process-wide engine: the three plugins acquire the same instance. */
tg_engine_t *tg_engine_acquire(void) TG_NOEXCEPT;
void tg_engine_release(tg_engine_t *engine) TG_NOEXCEPT;

/* Cluster inventory, one node at a time (features "a,b", Slurm's Gres string). */
tg_inventory_t *tg_inventory_new(void) TG_NOEXCEPT;
int tg_inventory_add_node(tg_inventory_t *inventory, const char *features, uint64_t cpus,
			  uint64_t memory_mib, const char *gres) TG_NOEXCEPT;
void tg_inventory_free(tg_inventory_t *inventory) TG_NOEXCEPT;

/* Reads, resolves and installs a policy. On failure the last good policy stays in force and
 * `error` gets "FILE:LINE:COLUMN: PATH: message". Either way a decision record says so.
 * tg_policy_read + tg_policy_install + tg_audit_reopen, for callers that hold no lock. */
int tg_load_policy(tg_engine_t *engine, const char *path, const tg_inventory_t *inventory,
		   char *error, size_t error_len) TG_NOEXCEPT;
/* The same in three steps, so that slurmctld's job write lock covers only the install:
 * read and parse the file with no lock held (NULL on failure, with `error` as above); */
tg_policy_t *tg_policy_read(tg_engine_t *engine, const char *path, char *error, size_t error_len) TG_NOEXCEPT;
/* resolve it against the inventory and install it, under the job write lock (consumes
 * `policy`; no file I/O, no thread joined); */
int tg_policy_install(tg_engine_t *engine, tg_policy_t *policy, const tg_inventory_t *inventory,
		      char *error, size_t error_len) TG_NOEXCEPT;
/* then, with no lock held, open the audit log the policy in force names (stopping the previous
 * writer, which may wait on its disk) and queue the decision records of the read and install. */
void tg_audit_reopen(tg_engine_t *engine) TG_NOEXCEPT;

/* The decision-record audit log (JSON lines) goes to the policy's cluster.audit_log, else to
 * taskgov-audit.log next to `slurmctld_log_file` (NULL or "" when slurmctld logs to syslog
 * only: /var/log/slurm). A background thread writes it; `report` (may be NULL) hears of
 * trouble (trouble=1: a full disk, an unwritable path, records dropped) and of recovery, once
 * each, from that thread. Call before the first tg_load_policy(). A NULL `report` clears it,
 * waiting for a report in progress: call that before unloading the code `report` lives in. */
typedef void (*tg_audit_reporter_t)(int trouble, const char *message);
int tg_audit_configure(tg_engine_t *engine, const char *slurmctld_log_file,
		       tg_audit_reporter_t report) TG_NOEXCEPT;

/* What slurmctld knows about its own set-up, for tg_cluster_warnings(). */
typedef struct {
	const char *const *tracked_tres; /* every TRES Slurm tracks: "cpu", "gres/gpu:h100", ... */
	size_t tracked_count;
	int enforce_limits; /* AccountingStorageEnforce includes limits */
	const char *const *accounts; /* accounts that have an association */
	size_t account_count;
	/* Per QOS: its GrpTRES ("cpu=64,gres/gpu:h100=8", "" when none) and the partitions that
	 * use it as partition QOS ("gpu,debug", ""). */
	const char *const *qos_names, *const *qos_grp_tres, *const *qos_partitions;
	size_t qos_count;
} tg_cluster_facts_t;
typedef void (*tg_warning_sink_t)(const char *warning, void *arg);
/* Calls `sink` once per way the policy in force would go unenforced on this cluster (see
 * policy_warnings.h); returns how many, or TG_NO_POLICY. */
int tg_cluster_warnings(const tg_engine_t *engine, const tg_cluster_facts_t *facts,
			tg_warning_sink_t sink, void *arg) TG_NOEXCEPT;


typedef struct {
	int cycle_seconds;
	int shadow;                /* decide and record, enforce nothing */
	int preempt_cancel;        /* preempt_mode cancel instead of requeue */
	int teams;
	int classes;
	int resources;
} tg_settings_t;
int tg_settings(const tg_engine_t *engine, tg_settings_t *out) TG_NOEXCEPT;

/* Names valid until the next successful tg_load_policy(). */
const char *tg_resource_name(const tg_engine_t *engine, int resource) TG_NOEXCEPT; /* "gres/gpu:h100" */
const char *tg_team_name(const tg_engine_t *engine, int team) TG_NOEXCEPT;
const char *tg_team_account(const tg_engine_t *engine, int team) TG_NOEXCEPT;
/* Team of the first account in lineage (account, parent, grandparent, ...) a team names. */
int tg_team_of_lineage(const tg_engine_t *engine, const char *const *lineage, int depth) TG_NOEXCEPT;
int tg_class_of_qos(const tg_engine_t *engine, const char *qos) TG_NOEXCEPT; /* -1 when not a class */

/* A cycle: snapshot under the job lock, compute unlocked, publish under the job write lock.
 * amounts[] has tg_settings().resources entries, in tg_resource_name() order. */
tg_snapshot_t *tg_snapshot_new(const tg_engine_t *engine, int64_t now) TG_NOEXCEPT;
int tg_snapshot_add_running(tg_snapshot_t *snapshot, uint32_t job_id, int team, int klass,
			    const uint64_t *amounts, int64_t start_time) TG_NOEXCEPT;
/* eligible: the job could start now if resources and limits allowed (its begin time has come,
 * no dependency holds it); only eligible jobs count as demand for idle capacity or preempt. */
int tg_snapshot_add_pending(tg_snapshot_t *snapshot, uint32_t job_id, int team, int klass,
			    const uint64_t *amounts, int64_t submit_time, int eligible) TG_NOEXCEPT;
tg_cycle_t *tg_cycle_compute(tg_snapshot_t *snapshot) TG_NOEXCEPT; /* consumes the snapshot */
/* Installs the cycle's decisions; TG_ERROR when the policy changed since its snapshot (then
 * they are dropped). */
int tg_cycle_publish(tg_engine_t *engine, tg_cycle_t *cycle) TG_NOEXCEPT;
/* Frees the cycle; once published, its decision records (band changes, job starts, limit
 * changes) go to the audit log. Call with no lock held. */
void tg_cycle_finish(tg_engine_t *engine, tg_cycle_t *cycle) TG_NOEXCEPT;

typedef struct {
	uint32_t tier; /* governance tier: larger runs first */
} tg_pending_verdict_t;
int tg_pending_verdict(const tg_engine_t *engine, uint32_t job_id, tg_pending_verdict_t *out) TG_NOEXCEPT;
/* The tier scaled above everything priority/multifactor can add (multifactor_max): the term
 * taskgov adds to the priority, below 2^31. Slurm stores site_factor as NICE_OFFSET + term. */
uint32_t tg_site_factor(uint32_t tier, uint64_t multifactor_max) TG_NOEXCEPT;
/* Every term tg_site_factor() returns is a whole multiple of this. */
uint64_t tg_site_factor_unit(uint64_t multifactor_max) TG_NOEXCEPT;
/* Whose a pending job's site factor is (src/engine/site_factors.h). term: its site factor less
 * NICE_OFFSET now; unit: tg_site_factor_unit(). Call under the job lock. */
int tg_site_factor_ours(tg_engine_t *engine, uint32_t job_id, uint64_t term, uint64_t unit) TG_NOEXCEPT;
void tg_site_factor_wrote(tg_engine_t *engine, uint32_t job_id, uint64_t term) TG_NOEXCEPT;
/* An operator set the job's SiteFactor (scontrol update): taskgov leaves it alone from now on. */
void tg_site_factor_set_by_operator(tg_engine_t *engine, uint32_t job_id) TG_NOEXCEPT;

/* quota + what the team may borrow now, per resource (the dynamic GrpTRES). */
int tg_team_limit(const tg_engine_t *engine, int team, uint64_t *amounts) TG_NOEXCEPT;
/* Bit r set: resource r's limit belongs in GrpTRES (see enforced_resources in borrowing.h). */
uint32_t tg_team_enforced(const tg_engine_t *engine, int team) TG_NOEXCEPT;

/* Team of a job in the last cycle: >= 0, -1 ungoverned, TG_UNKNOWN when not in it. O(1). */
int tg_running_team(const tg_engine_t *engine, uint32_t job_id) TG_NOEXCEPT;
int tg_pending_team(const tg_engine_t *engine, uint32_t job_id) TG_NOEXCEPT;

/* O(1); never logs. Returns enum tg_reason. A preemptor the last cycle did not see (submitted
 * since) is judged by its own request, preemptor_amounts (tg_resource_name() order; NULL:
 * it preempts nothing); for one it saw they are not read. */
int tg_may_preempt(const tg_engine_t *engine, uint32_t preemptor_id, int preemptor_team,
		   int preemptor_class, const uint64_t *preemptor_amounts, uint32_t victim_id) TG_NOEXCEPT;
uint32_t tg_victim_rank(const tg_engine_t *engine, uint32_t victim_id) TG_NOEXCEPT; /* UINT32_MAX unknown */
const char *tg_reason_name(int reason) TG_NOEXCEPT;

/* The records written onto a job's AdminComment (src/audit/admin_comment.h): each returns the
 * length written to `out`, 0 on error (an unknown reason, no room) or when there is nothing
 * to write. "preempted_by=<id>;reason=<name>": */
size_t tg_format_preemption(uint32_t preemptor_id, int reason, char *out, size_t len) TG_NOEXCEPT;
/* "borrowed=gres/gpu:h100:4+cpu:96+mem:1048576" (mem in MiB): what a running job of the last
 * cycle holds where it is part of its team's borrowed excess; 0 when it borrows nothing. */
size_t tg_format_borrowed(const tg_engine_t *engine, uint32_t job_id, char *out, size_t len) TG_NOEXCEPT;
/* 1 when the ;-separated comment has a field `key` ("preempted_by", "borrowed"), else 0. */
int tg_admin_comment_has(const char *comment, const char *key) TG_NOEXCEPT;
/* Records a preemption (carried out, or in shadow mode only considered) with both teams'
 * numbers from the last cycle. preemptor_tres: what the preemptor asks for, in Slurm's TRES
 * names ("cpu=96,mem=1T,gres/gpu:h100=8"; may be NULL), for a preemptor submitted since the
 * cycle. by_cycle: the cycle preempted for a job its own limit holds back; else Slurm's
 * scheduler did, through preempt/taskgov. */
void tg_record_preemption(const tg_engine_t *engine, uint32_t victim_id, uint32_t preemptor_id,
			  int preemptor_team, int preemptor_class, const char *preemptor_tres,
			  int reason, int by_cycle) TG_NOEXCEPT;
/* Why Slurm's scheduler may preempt `victim` (src/engine/preemption_notes.h): noted by preempt/taskgov
 * when it allows the pair (returns 1 when the same pair was noted already), taken back when
 * Slurm carries the preemption out (returns 1 and fills the out-parameters when there is a
 * note), forgotten by a caller that carries a preemption out itself. Under the job write lock. */
int tg_preemption_note(tg_engine_t *engine, uint32_t victim_id, uint32_t preemptor_id,
		       int preemptor_team, int preemptor_class, int reason) TG_NOEXCEPT;
int tg_preemption_take(tg_engine_t *engine, uint32_t victim_id, uint32_t *preemptor_id,
		       int *preemptor_team, int *preemptor_class, int *reason) TG_NOEXCEPT;
void tg_preemption_forget(tg_engine_t *engine, uint32_t victim_id) TG_NOEXCEPT;
/* Jobs held back by their own team's limit that the rules entitle to preempt (one per team at
 * most); returns how many were written. */
size_t tg_preemptors_held_by_limits(const tg_engine_t *engine, uint32_t *preemptors,
				    size_t capacity) TG_NOEXCEPT;
/* Victims for a job its own limit holds back, each with the rule that allows it; returns how
 * many were written (0 when they do not all fit: a partial set would not free enough). */
typedef struct {
	uint32_t job_id;
	int reason; /* enum tg_reason */
} tg_victim_t;
size_t tg_victims_for(const tg_engine_t *engine, uint32_t pending_id, tg_victim_t *victims,
		      size_t capacity) TG_NOEXCEPT;

/* What the plugins did or saw between slurmctld's calls, remembered by the engine so that the
 * plugins keep no tables of their own (src/shim_memory.h). Safe from any slurmctld thread. */
/* The team of an association under the policy in force: >= 0, -1 ungoverned, TG_UNKNOWN when
 * not remembered (walk the association tree, then tg_association_team_remember). */
int tg_association_team(const tg_engine_t *engine, uint32_t assoc_id) TG_NOEXCEPT;
void tg_association_team_remember(tg_engine_t *engine, uint32_t assoc_id, int team) TG_NOEXCEPT;
/* 1 the first time a job's database record (db_index) is asked: send its AdminComment now. */
int tg_trail_first_push(tg_engine_t *engine, uint32_t job_id, uint64_t db_index) TG_NOEXCEPT;
/* A preemptor the cycle acted for stays settling (no more victims for it) until `until`. */
int tg_preemptor_settling(tg_engine_t *engine, uint32_t job_id, int64_t now) TG_NOEXCEPT;
void tg_preemptor_acted(tg_engine_t *engine, uint32_t job_id, int64_t until, int64_t now) TG_NOEXCEPT;
/* Shadow mode: 1 when the team's limit in the last cycle differs from the one last logged
 * (and fills `amounts` with it, tg_resource_name() order), 0 when already logged or unknown. */
int tg_shadow_limit_news(tg_engine_t *engine, int team, uint64_t *amounts) TG_NOEXCEPT;
/* Accounts whose GrpTRES taskgov changed, so it can give them back. tg_limited_account(): the
 * index-th into `out` (1), or 0 past the end. */
void tg_limited_account_add(tg_engine_t *engine, const char *account) TG_NOEXCEPT;
void tg_limited_account_remove(tg_engine_t *engine, const char *account) TG_NOEXCEPT;
int tg_limited_account(const tg_engine_t *engine, size_t index, char *out, size_t len) TG_NOEXCEPT;
/* Teams whose every pending job its own limit holds back in the published cycle
 * (src/engine/blocked_teams.h): out[t] = 1. Returns the number of teams written. */
int tg_teams_blocked_by_limits(const tg_engine_t *engine, uint8_t *out, int capacity) TG_NOEXCEPT;
/* 1 when a job asking `request` cannot start under limits `limit` (UINT64_MAX or above INT64_MAX:
 * none) with `used` in use: the rule of tg_teams_blocked_by_limits(), on the `n` resources in
 * tg_resource_name() order, for the limits in force now rather than the last cycle's. */
int tg_held_by_limit(const uint64_t *used, const uint64_t *limit, const uint64_t *request, int n) TG_NOEXCEPT;
/* Team accounts whose GrpJobs taskgov pinned (plugin/common/team_pins.c): the administrator's
 * value and the pin. tg_pin_of() returns 1 when pinned; tg_pinned_account() the index-th (1) or
 * 0 past the end; tg_pins_any() is lock-free, for every job's end. */
void tg_pin_remember(tg_engine_t *engine, const char *account, uint32_t admin, uint32_t pinned) TG_NOEXCEPT;
int tg_pin_of(const tg_engine_t *engine, const char *account, uint32_t *admin, uint32_t *pinned) TG_NOEXCEPT;
void tg_pin_forget(tg_engine_t *engine, const char *account) TG_NOEXCEPT;
int tg_pinned_account(const tg_engine_t *engine, size_t index, char *out, size_t len) TG_NOEXCEPT;
int tg_pins_any(const tg_engine_t *engine) TG_NOEXCEPT;

/* Submit and update time (job_submit/taskgov). Strings are NULL when unset, numbers 0. */
typedef struct {
	const char *const *lineage; /* the job's account, its parent, ... */
	int lineage_depth;
	const char *account;
	const char *qos;
	const char *tres_per_job, *tres_per_node, *tres_per_task, *tres_per_socket;
	const char *cpus_per_tres, *mem_per_tres;
	uint32_t min_nodes, num_tasks, min_cpus, cpus_per_task;
	uint64_t pn_min_memory; /* MiB per node, or per CPU when mem_per_cpu */
	int mem_per_cpu;
	const char *admin_comment; /* the job's current one, restamped in the decision */
	uint64_t multifactor_max;  /* largest sum priority/multifactor can give */
	uint32_t uid;              /* who submits or updates, for the decision record */
	uint32_t job_id;           /* 0 at submit (Slurm assigns it later) */
	int update;                /* job_modify rather than job_submit */
	/* Per resource (tg_resource_name), what the earlier components of the same heterogeneous
	 * job ask of this team, summed; NULL outside a hetjob or for its first component. */
	const uint64_t *hetjob_earlier;
} tg_submit_request_t;

enum tg_submit_outcome {
	TG_SUBMIT_ACCEPT = 0,
	TG_SUBMIT_UNGOVERNED,        /* unmapped account, allowed: leave the job alone */
	TG_SUBMIT_NO_POLICY,         /* nothing loaded: leave the job alone */
	TG_SUBMIT_INVALID_ACCOUNT,
	TG_SUBMIT_INVALID_QOS,
	TG_SUBMIT_INVALID_GRES,
	TG_SUBMIT_ACCOUNTING_POLICY,
};

/* Non-empty strings are values to set on the job; empty ones mean "leave as is". */
typedef struct {
	int outcome; /* enum tg_submit_outcome */
	int shadow;  /* shadow mode: log the decision, change and refuse nothing */
	int team, klass;
	uint32_t site_factor;
	char message[1024];
	char qos[64];
	char admin_comment[2304];
	char tres_per_job[256], tres_per_node[256], tres_per_task[256], tres_per_socket[256];
	char cpus_per_tres[128], mem_per_tres[128];
	uint32_t min_cpus;      /* non-zero: set the job's CPU count */
	uint64_t pn_min_memory; /* non-zero: set the job's memory per node (MiB) */
	uint64_t request[TG_MAX_RESOURCES]; /* per resource, what the job asks (when accepted) */
} tg_submit_decision_t;
int tg_decide_submission(const tg_engine_t *engine, const tg_submit_request_t *request,
			 tg_submit_decision_t *decision) TG_NOEXCEPT;

/* `existing` AdminComment stamped with the team and class (other fields kept): returns 1 with
 * `out` filled when that changes it, 0 when it already says so, TG_UNKNOWN or TG_NO_POLICY. */
int tg_restamp(const tg_engine_t *engine, int team, int klass, const char *existing, char *out,
	       size_t out_len) TG_NOEXCEPT;

/* Types the untyped GPU items of one tres_per_* string to the team's only GPU type: returns 1
 * with `typed` and `type` filled, 0 when nothing is untyped, TG_ERROR with `message` when the
 * team has no GPU type or several, TG_NO_POLICY or TG_UNKNOWN (team). */
int tg_type_gpus(const tg_engine_t *engine, int team, const char *spec, char *typed,
		 size_t typed_len, char *type, size_t type_len, char *message, size_t message_len) TG_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* TASKGOV_H */
