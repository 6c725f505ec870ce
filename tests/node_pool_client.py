"""One scoring process of test_node_pool: attach to the node's shared pool, wait for the go file,
score the samples given as JSON, print the verdicts."""
import json
import os
import sys
import time

from harness.rewards import CodeReward

samples, go = json.loads(sys.argv[1]), sys.argv[2]
reward = CodeReward("humaneval", share="node", sandbox="docker", workers=2, timeout_s=5).start()
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
batch = reward.score(None, [c for _, c in samples], task_id=[t for t, _ in samples])
print(json.dumps({"pid": os.getpid(), "service": reward.executor.pool.service_pid,
                  "statuses": batch.statuses, "rewards": batch.rewards}), flush=True)
reward.close()
