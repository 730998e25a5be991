import { useEffect, useState } from "preact/hooks";

/** What changed on the server: pages refetch what they show when their topic is named. */
export type Topic = "targets" | "faults" | "maintenance" | "inspections" | "agents";

const listeners = new Set<(topics: Topic[]) => void>();
const stateListeners = new Set<() => void>();
let connected = false;
let ws: WebSocket | undefined;
let attempt = 0;

function setConnected(v: boolean) {
  connected = v;
  for (const f of stateListeners) f();
}

function connect(): void {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/live`;
  ws = new WebSocket(url);
  ws.onopen = () => {
    attempt = 0;
    setConnected(true);
    // Anything may have changed while we were away.
    for (const f of listeners) f(["targets", "faults", "maintenance", "inspections", "agents"]);
  };
  ws.onmessage = (m) => {
    try {
      const msg = JSON.parse(String(m.data)) as { type: string; topics?: Topic[] };
      if (msg.type === "changed" && msg.topics) for (const f of listeners) f(msg.topics);
    } catch {}
  };
  ws.onclose = () => {
    setConnected(false);
    // Full jitter up to 30 s, like the agents: a server restart is not met by every browser at once.
    const cap = Math.min(30_000, 500 * 2 ** attempt++);
    setTimeout(connect, Math.random() * cap);
  };
}

/** Calls `onChange` when the server says one of `topics` changed (and after every reconnect). */
export function useLive(topics: readonly Topic[], onChange: () => void): boolean {
  const [, bump] = useState(0);
  useEffect(() => {
    if (!ws) connect();
    const f = (changed: Topic[]) => {
      if (changed.some((t) => topics.includes(t))) onChange();
    };
    const s = () => bump((n) => n + 1);
    listeners.add(f);
    stateListeners.add(s);
    return () => {
      listeners.delete(f);
      stateListeners.delete(s);
    };
  }, [topics.join(","), onChange]);
  return connected;
}
