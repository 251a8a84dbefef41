#!/usr/bin/env python3
"""Writes fuzz_cluster's hand-made seed inputs into fuzz/corpus/fuzz_cluster/.

Each seed is a short schedule in the byte layout fuzz/src/cluster_case.cpp
decodes (keep the two in step): a 21-byte header, then ops. The seeds give
libFuzzer a start at each fault kind; the rest of the corpus is what
`fuzz/run` found and merged. Usage: fuzz/make_corpus.py [OUT_DIR]
"""
import os
import struct
import sys

# Op byte values: the first byte value of each op's range in op_weights
# (sleep 6, partition 2, heal 2, cut 1, restore 1, crash 2, restart 2,
# workload 1, network 1, slow_votes 1, clock_drift 1, membership 2,
# create_node 1, transfer 1, snapshot 1, message_fault 4, wait_for_leader 1).
OPS = dict(sleep=0, partition=6, heal=8, cut=10, restore=11, crash=12, restart=14,
           workload=16, network=17, slow_votes=18, clock_drift=19, membership=20,
           create_node=22, transfer=23, snapshot=24, message_fault=25,
           wait_for_leader=29)


def header(seed, voters=3, pre_vote=False, no_check_quorum=False, disk_sync=False,
           workload=True, heartbeat=2, election=3, network=0):
    """voters: 1..5 (byte = voters - 1); heartbeat: 4 + byte ticks."""
    flags = (1 if pre_vote else 0) | (2 if no_check_quorum else 0) \
        | (4 if disk_sync else 0) | (8 if workload else 0)
    return (struct.pack("<I", seed) +
            bytes([voters - 1, flags, 1, 2, heartbeat, election, 0, 1, 0x11, 0]) +
            bytes([network, 1, 3, 4, 4, 4, 9]))


def op(name, *args):
    return bytes([OPS[name], *args])


SLEEP = op("sleep", 40, 0)  # 41 ticks or less: about an election timeout
SEEDS = {
    "quiet": header(1) + SLEEP * 3,
    "partition_leader": header(2, 5) + SLEEP + op("partition", 0, 1) + SLEEP * 2 +
    op("heal", 1, 0) + SLEEP,
    "partition_minority": header(3, 5) + SLEEP + op("partition", 200, 0b00011) + SLEEP * 2 +
    op("heal", 200) + SLEEP,
    "one_way_cut": header(4) + SLEEP + op("cut", 0, 5) + SLEEP * 2 + op("restore", 0, 5) + SLEEP,
    "crash_leader": header(5, 3, disk_sync=True) + SLEEP + op("crash", 0, 10) + SLEEP * 2 +
    op("restart", 10) + SLEEP,
    "crash_restart_all": header(6, 5, disk_sync=True) + SLEEP + op("crash", 7, 10) +
    op("crash", 8, 10) + SLEEP + op("restart", 10) + SLEEP,
    "lossy_network": header(7, network=7) + SLEEP * 2 + op("network", 0, 0, 0, 0, 0, 0, 0) + SLEEP,
    "slow_votes": header(8, 5) + op("slow_votes", 200, 0, 0b00110, 10, 10) + SLEEP * 3,
    "clock_drift": header(9) + op("clock_drift", 3, 180) + SLEEP * 3,
    "add_remove": header(10, 3) + SLEEP + op("create_node", 0) + SLEEP + op("membership", 0, 3, 5) +
    SLEEP + op("membership", 0, 1, 0) + SLEEP,
    "transfer": header(11, 3) + SLEEP + op("transfer", 0, 0, 200) + SLEEP,
    "snapshot": header(12, 3) + SLEEP * 2 + op("snapshot", 0b111) + SLEEP + op("crash", 4, 10) +
    SLEEP + op("restart", 10) + SLEEP,
    "message_faults": header(13, 3) + op("message_fault", 0, 10) + op("message_fault", 150, 3) +
    op("message_fault", 200, 2, 20) + op("message_fault", 250, 2, 20) + SLEEP * 3,
    # The network choice's bits 3 and 4 turn stale replays on (2 in 100 here).
    "stale_replays": header(17, 3, network=0x38) + SLEEP * 3,
    "pre_vote_partition": header(14, 5, pre_vote=True) + SLEEP + op("partition", 0, 2) +
    SLEEP * 2 + op("heal", 1, 0) + SLEEP,
    "workload_toggle": header(15, 3, workload=False) + op("workload", 0, 3) + SLEEP * 2 +
    op("workload", 200) + SLEEP,
    "wait_for_leader": header(16, 1) + op("wait_for_leader", 40, 0) + SLEEP,
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_cluster")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)
    print(f"wrote {len(SEEDS)} seeds to {out}")


if __name__ == "__main__":
    main()
