import type { Result } from "../../protocol/messages.js";

export interface CommitOutcome {
  committed: number;
  duplicates: number;
  /** The results that were new (replays excluded): what the evaluator must see, once. */
  fresh: Result[];
}

export interface ResultPage {
  items: Result[];
  /** Opaque cursor for the next page; absent on the last page. */
  next?: string;
}

export interface ResultQuery {
  target: string;
  from: number; // ms, inclusive
  to: number; // ms, exclusive
  limit: number;
  cursor?: string;
}

export interface AgentSeen {
  agent: string;
  version: string;
  spoolDepth: number;
  clockOffsetMs: number;
  seenMs: number;
}

/**
 * The persistence boundary. SQLite implements it today; a PostgreSQL store can implement it later.
 * Every method is async so a networked store fits the same shape.
 */
export interface Store {
  /**
   * Stores every batch in ONE transaction, idempotently keyed by (agent, seq): a replayed result counts
   * as a duplicate, never as a second row. Resolves only after the transaction committed.
   */
  commit(batches: readonly (readonly Result[])[]): Promise<CommitOutcome[]>;
  /** Highest committed seq of an agent, 0 if none. */
  lastSeq(agent: string): Promise<number>;
  /** Records that an agent connected (for clock offset and version display). */
  agentSeen(seen: AgentSeen): Promise<void>;
  /** The newest result of every (target, check, agent): the server's current view after a restart. */
  latest(): Promise<Result[]>;
  results(q: ResultQuery): Promise<ResultPage>;
  close(): Promise<void>;
}
