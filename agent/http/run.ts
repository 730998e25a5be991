// The bookkeeping of one request chain: a phase clock (blackbox_exporter semantics: every moment of the
// chain belongs to exactly one phase) and the sockets to destroy when it ends or is aborted.
import type net from "node:net";
import { HttpFailure, type HttpFailureReason, type HttpPhases, zeroPhases } from "./failure.js";
import type { TlsInfo } from "./tls-info.js";

const stageWords: Record<keyof HttpPhases, string> = {
  dns: "resolving the host name",
  connect: "connecting",
  tls: "in the TLS handshake",
  processing: "waiting for the response",
  transfer: "reading the body",
};

const ignore = () => {};

export class Run {
  readonly phases: HttpPhases = zeroPhases();
  /** TLS info of the last https hop. */
  tls?: TlsInfo;
  private phase: keyof HttpPhases = "dns";
  private since: number;
  private readonly started: number;
  private readonly sockets = new Set<net.Socket>();

  constructor(readonly signal: AbortSignal) {
    this.started = this.since = performance.now();
  }

  /** Closes the running phase and starts `phase`. */
  enter(phase: keyof HttpPhases): void {
    const now = performance.now();
    this.phases[this.phase] += now - this.since;
    this.phase = phase;
    this.since = now;
  }

  /** Destroyed when the chain ends; a listener keeps a late socket error from crashing the process. */
  track<S extends net.Socket>(socket: S): S {
    socket.on("error", ignore);
    this.sockets.add(socket);
    return socket;
  }

  /**
   * `tls` now owns `raw` (tls.connect({ socket })): only the TLS socket may be destroyed — destroying
   * the raw socket under a live TLS wrap crashes Node (a use-after-free in the native TLS stream).
   */
  wrapped(raw: net.Socket, tls: net.Socket): void {
    this.sockets.delete(raw);
    this.track(tls);
  }

  destroy(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Throws once the chain was aborted, so the steps still running stop at their next await. */
  checkAborted(): void {
    if (this.signal.aborted) throw this.abortFailure();
  }

  fail(reason: HttpFailureReason, message: string): HttpFailure {
    this.enter(this.phase);
    return new HttpFailure(reason, message, { ...this.phases }, this.tls);
  }

  abortFailure(): HttpFailure {
    const stage = stageWords[this.phase];
    const ms = Math.round(performance.now() - this.started);
    const timeout = (this.signal.reason as Error | undefined)?.name === "TimeoutError";
    return timeout
      ? this.fail("timeout", `timeout after ${ms} ms ${stage}`)
      : this.fail("aborted", `aborted after ${ms} ms ${stage}`);
  }
}

/**
 * Runs `body` with a fresh Run: settles with its result, or at once with a timeout/aborted HttpFailure
 * when `signal` aborts (its sockets destroyed). Anything else `body` throws becomes a protocol failure.
 */
export function withRun<T>(signal: AbortSignal, body: (run: Run) => Promise<T>): Promise<T> {
  const run = new Run(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      run.destroy();
      reject(run.abortFailure());
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    body(run)
      .then(resolve, (e: unknown) => reject(e instanceof HttpFailure ? e : run.fail("protocol", String(e))))
      .finally(() => {
        signal.removeEventListener("abort", onAbort);
        run.destroy();
      });
  });
}
