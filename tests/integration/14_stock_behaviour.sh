#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Stock behaviour kept while teams are onboarded: with unmapped_accounts allow, jobs of an
# account no team owns behave as under stock multifactor + preempt/qos: untouched at submit,
# multifactor's factors in sprio, and QOS preemption between them where the site set it up
# (QOS Preempt=). Without the plugins (TASKGOV_PLUGINS=off, the only mode on a release taskgov
# cannot be built for, such as 26.05) the same checks run against stock Slurm itself: the
# behaviour the plugins must keep.
. "$(dirname "$0")/lib.sh"

if [ "$(tg_default_mode)" = on ]; then
  tg_governed_scenario '"unmapped_accounts": "allow"' '[
    {"name": "nlp", "account": "nlp", "quota": [{"gres": "gpu:h100", "count": 8}]}
  ]'
else
  tg_log "plugins off: the checks run against stock multifactor + preempt/qos"
  tg_cluster_mode off
  tg_clean_slate
fi

# The site's own QOS preemption: urgent preempts normal, by requeue.
sacctmgr -i -Q add qos urgent >/dev/null 2>&1 || true
sacctmgr -i -Q modify qos urgent set Preempt=normal PreemptMode=requeue >/dev/null
sacctmgr -i -Q modify user carol set qos+=urgent >/dev/null
# shellcheck disable=SC2317  # called from the EXIT trap
restore_qos() {
  sacctmgr -i -Q modify user carol set qos-=urgent >/dev/null 2>&1
  sacctmgr -i -Q delete qos urgent >/dev/null 2>&1
}
trap 'tg_cleanup; restore_qos' EXIT
sleep 1   # slurmdbd pushes the QOS change to slurmctld

tg_submit carol -A sandbox -N1 --gres=gpu:h100:8 --wrap 'sleep 600' || tg_fatal "sandbox job submitted"
first=$TG_JOB
tg_submit carol -A sandbox -N1 --gres=gpu:h100:8 --wrap 'sleep 600' || tg_fatal "sandbox job submitted"
second=$TG_JOB
tg_wait_state "$first" RUNNING 20
tg_wait_state "$second" RUNNING 20
tg_assert_eq "an ungoverned job keeps its QOS" normal "$(tg_scontrol "$first" QOS)"
tg_assert_eq "an ungoverned job gets no AdminComment" "" "$(tg_scontrol "$first" AdminComment)"
tg_assert_eq "an ungoverned job gets no GPU defaults" "" "$(tg_scontrol "$first" CpusPerTres)"

tg_submit carol -A sandbox --wrap 'sleep 600' -N1 --gres=gpu:h100:8 --hold || tg_fatal "a waiting job submitted"
waiting=$TG_JOB
scontrol release "$waiting"
sleep 3
factors=$(sprio -h -j "$waiting" -o '%A %F %Q %S' 2>/dev/null)
tg_log "sprio AGE FAIRSHARE QOS SITE of the waiting ungoverned job: $factors"
tg_assert_match "sprio lists multifactor's factors and no taskgov term" '^ *[0-9]+ +[0-9]+ +[0-9]+ +0$' "$factors"
scancel "$waiting"

tg_submit carol -A sandbox --qos=urgent -N1 --gres=gpu:h100:8 --wrap 'sleep 600' || tg_fatal "urgent job submitted"
urgent=$TG_JOB
tg_wait_state "$urgent" RUNNING 15
requeued=0
for job in $first $second; do
  [ "$(tg_squeue "$job" %T)" = PENDING ] && requeued=$((requeued + 1))
done
tg_assert_eq "QOS preemption requeued one normal job for the urgent one" 1 "$requeued"
tg_done
