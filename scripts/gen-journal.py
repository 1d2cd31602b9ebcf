#!/usr/bin/env python3
"""Writes a session whose journal is SIZE bytes of realistic events.

usage: gen-journal.py ROOT SESSION_ID SIZE_MIB
The mix: agent messages and thinking of varied length, tool uses with
results, usage updates, a few errors; one pending request at the end.
"""
import json
import os
import random
import sys

root, sid, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
target = mib * 1024 * 1024
d = os.path.join(root, sid)
os.makedirs(d, exist_ok=True)
rng = random.Random(1)
words = ("the auth module timeout retry cache token session request handler config "
         "database migration test failing passing refactor deploy branch commit").split()


def text(n):
    return " ".join(rng.choice(words) for _ in range(n))


written = 0
i = 0
with open(os.path.join(d, "events.jsonl"), "w") as f:
    buf = []
    while written < target:
        i += 1
        t = f"2026-11-21T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z"
        r = rng.random()
        if r < 0.45:
            e = {"id": f"sevt_{i}", "type": "agent.message", "created_at": t, "processed_at": t,
                 "content": [{"type": "text", "text": text(rng.randint(5, 60))}]}
        elif r < 0.7:
            e = {"id": f"sevt_{i}", "type": "agent.thinking", "created_at": t, "processed_at": t,
                 "content": [{"type": "text", "text": text(rng.randint(10, 80))}]}
        elif r < 0.82:
            e = {"id": f"sevt_{i}", "type": "agent.tool_use", "created_at": t, "processed_at": t,
                 "name": "bash", "input": {"command": "pytest -q " + text(3)}}
        elif r < 0.94:
            e = {"id": f"sevt_{i}", "type": "agent.tool_result", "created_at": t, "processed_at": t,
                 "tool_use_id": f"sevt_{i-1}", "content": [{"type": "text", "text": text(rng.randint(5, 40))}]}
        elif r < 0.995:
            e = {"id": f"sevt_{i}", "type": "session.usage", "created_at": t, "processed_at": t,
                 "usage": {"input_tokens": rng.randint(100, 9000), "output_tokens": rng.randint(10, 900)}}
        else:
            e = {"id": f"sevt_{i}", "type": "session.error", "created_at": t, "processed_at": t,
                 "error": {"type": "model_overloaded_error", "message": "Overloaded",
                           "retry_status": {"type": "retrying"}}}
        line = json.dumps(e) + "\n"
        buf.append(line)
        written += len(line)
        if len(buf) >= 10000:
            f.write("".join(buf))
            buf = []
    i += 1
    last = {"id": f"sevt_{i}", "type": "agent.tool_use", "created_at": "2026-11-21T23:59:00Z",
            "processed_at": "2026-11-21T23:59:00Z", "name": "bash", "input": {"command": "git push"}}
    idle = {"id": f"sevt_{i+1}", "type": "session.status_idle", "created_at": "2026-11-21T23:59:01Z",
            "processed_at": "2026-11-21T23:59:01Z",
            "stop_reason": {"type": "requires_action", "event_ids": [f"sevt_{i}"]}}
    buf.append(json.dumps(last) + "\n" + json.dumps(idle) + "\n")
    f.write("".join(buf))

with open(os.path.join(d, "session.json"), "w") as f:
    json.dump({"id": sid, "type": "session", "agent": {"id": "agent_big"}, "title": "A 1 GiB journal",
               "status": "idle", "stop_reason": {"type": "requires_action", "event_ids": [f"sevt_{i}"]},
               "created_at": "2026-11-21T00:00:00Z", "updated_at": "2026-11-21T23:59:01Z"}, f)
print(f"{d}/events.jsonl: {written} bytes, {i + 1} events")
