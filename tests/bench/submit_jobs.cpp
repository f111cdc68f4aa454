// SPDX-License-Identifier: GPL-2.0-or-later
// Bulk submission for the scheduling benchmark at scale (tests/bench/cluster_bench.sh sched).
//
//   submit_jobs COUNT QOS-A GRES-A [QOS-B GRES-B]
//
// Submits COUNT batch jobs as the calling user, alternating between the two (QOS, GRES) pairs:
// the same REQUEST_SUBMIT_BATCH_JOB that `sbatch -o /dev/null --qos=QOS --gres=GRES --wrap true`
// sends (the caller's environment, working directory and default account; job_submit plugins
// see the same request). Why not sbatch: each sbatch process loads slurm.conf and its plugins,
// and on 2 cores the clients, not slurmctld, capped a 200,000-job load at ~50 jobs/s. One
// process reusing its configuration leaves slurmctld as the limit.
//
// Retries as sbatch does when slurmctld is busy (EAGAIN); any other error stops it, exit 1.
#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

extern char **environ;

namespace {

struct Shape {
  std::string qos;
  std::string tres_per_node;
};

bool busy(int err) { return err == EAGAIN || err == ESLURM_ERROR_ON_DESC_TO_RECORD_COPY; }

// submit: one job of SHAPE; false (the error printed) when slurmctld refused it.
bool submit(const Shape &shape, const std::string &work_dir, uint32_t env_size) {
  job_desc_msg_t desc;
  slurm_init_job_desc_msg(&desc);
  desc.name = const_cast<char *>("wrap");
  desc.script = const_cast<char *>("#!/bin/sh\n# This script was created by submit_jobs.\n\ntrue\n");
  desc.std_out = const_cast<char *>("/dev/null");
  desc.work_dir = const_cast<char *>(work_dir.c_str());
  desc.environment = environ;
  desc.env_size = env_size;
  desc.user_id = getuid();
  desc.group_id = getgid();
  desc.qos = const_cast<char *>(shape.qos.c_str());
  desc.tres_per_node = const_cast<char *>(shape.tres_per_node.c_str());
  for (int attempt = 0;; ++attempt) {
    submit_response_msg_t *resp = nullptr;
    if (slurm_submit_batch_job(&desc, &resp) == SLURM_SUCCESS) {
      slurm_free_submit_response_response_msg(resp);
      return true;
    }
    const int err = slurm_get_errno();
    if (!busy(err) || attempt == 15) {
      std::fprintf(stderr, "submit_jobs: job of QOS %s, %s: %s\n", shape.qos.c_str(),
                   shape.tres_per_node.c_str(), slurm_strerror(err));
      return false;
    }
    sleep(1 + attempt / 3);
  }
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 4 && argc != 6) {
    std::fprintf(stderr, "usage: submit_jobs COUNT QOS-A GRES-A [QOS-B GRES-B]\n");
    return 2;
  }
  const long count = std::strtol(argv[1], nullptr, 10);
  const Shape shapes[2] = {{argv[2], std::string("gres:") + argv[3]},
                           {argv[argc - 2], std::string("gres:") + argv[argc - 1]}};
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) {
    std::perror("submit_jobs: getcwd");
    return 1;
  }
  uint32_t env_size = 0;
  while (environ[env_size]) ++env_size;
  slurm_init(nullptr);
  for (long i = 0; i < count; ++i) {
    if (!submit(shapes[i % 2], cwd, env_size)) return 1;
  }
  slurm_fini();
  return 0;
}
