import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "./api.js";
import { type Topic, useLive } from "./live.js";

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  reload: () => void;
  /** The live connection is up (the data follows the server). */
  live: boolean;
}

/** GETs `path` now and again whenever the server reports a change in one of `topics`. */
export function useApi<T>(path: string | null, topics: readonly Topic[] = []): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const reload = useCallback(() => {
    if (!path) return;
    api.get<T>(path).then(
      (d) => {
        setData(d);
        setError(undefined);
      },
      (e: Error) => setError(e),
    );
  }, [path]);
  useEffect(reload, [reload]);
  const live = useLive(topics, reload);
  return { data, error, reload, live };
}
