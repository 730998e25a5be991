// Multi-step operations (kind: operation): HTTP steps run in order over one cookie jar, each able to use
// what earlier steps captured (a CSRF token, an id) and the operation's secrets. The whole operation's
// time is what the response_time indicator judges; a failed step stops it and is named in the error.
import { CookieJar } from "tough-cookie";
import type { OperationCheck, OperationStep } from "../../config/schema.js";
import type { Values } from "../../protocol/messages.js";
import { checkAssertions } from "../http/assert.js";
import { authorization } from "../http/auth.js";
import { bodySlot, capture, describeCapture, redactor, substitute } from "../http/capture.js";
import { decodeBody } from "../http/decode.js";
import { type HttpPhases, zeroPhases } from "../http/failure.js";
import {
  HttpFailure,
  type HttpRequestOptions,
  type HttpResponse,
  httpRequest,
  type TlsInfo,
} from "../http/request.js";
import { tlsValues } from "../http/tls-info.js";
import { phaseValues } from "../http/values.js";
import type { ProbeOutcome, Prober } from "./types.js";

const ms = (from: number) => Math.round((performance.now() - from) * 1000) / 1000;

export class OperationProber implements Prober<OperationCheck> {
  readonly kind = "operation";

  async probe(check: OperationCheck, signal: AbortSignal): Promise<ProbeOutcome> {
    const started = performance.now();
    const run = new OperationRun(check);
    const error = await run.steps(signal);
    const values = { ...run.values(), "op.total_ms": ms(started) };
    return error === undefined ? { ok: true, values } : { ok: false, error: run.hide(error), values };
  }
}

/** The state of one run: values so far, captured variables, the shared cookie jar. */
class OperationRun {
  readonly hide: (text: string) => string;
  private readonly stepValues: Values = { "op.steps": 0 };
  private readonly vars: Map<string, string>;
  private readonly jar = new CookieJar();
  /** Summed over the steps, as blackbox_exporter sums them over redirects. */
  private readonly phases = zeroPhases();
  /** Of the step whose certificate chain expires first (probe_ssl_earliest_cert_expiry). */
  private tls?: TlsInfo;

  constructor(private readonly check: OperationCheck) {
    this.vars = new Map(Object.entries(check.secrets));
    this.hide = redactor([...this.vars.values(), ...secretsOf(check)]);
  }

  /** op.*, the summed http.phase.* and the earliest-expiring tls.* of the steps run so far. */
  values(): Values {
    const values = { ...this.stepValues, ...phaseValues(this.phases) };
    return this.tls ? Object.assign(values, tlsValues(this.tls, Date.now())) : values;
  }

  /** Runs the steps in order; the error of the first that fails (undefined when all pass). */
  async steps(signal: AbortSignal): Promise<string | undefined> {
    for (const [i, step] of this.check.steps.entries()) {
      this.stepValues["op.steps"] = i + 1;
      const error = await this.step(step, signal);
      if (error !== undefined) {
        this.stepValues["op.failed_step"] = step.id;
        return `step ${i + 1} (${step.id}): ${error}`;
      }
    }
    return undefined;
  }

  private async step(step: OperationStep, signal: AbortSignal): Promise<string | undefined> {
    const started = performance.now();
    let res: HttpResponse;
    try {
      res = await httpRequest(this.request(step), signal);
    } catch (e) {
      this.stepValues[`op.${step.id}.ms`] = ms(started);
      if (!(e instanceof HttpFailure)) throw e;
      this.measured(e.phases, e.tls);
      return e.reason === "timeout"
        ? `${e.message} (the operation's timeout is ${this.check.timeout} ms)`
        : e.message;
    }
    const duration = ms(started);
    this.stepValues[`op.${step.id}.ms`] = duration;
    this.stepValues[`op.${step.id}.status`] = res.status;
    this.measured(res.phases, res.tls);
    const failed = checkAssertions(step.assertions, { ...res, durationMs: duration, now: Date.now() });
    if (failed !== undefined) return failed;
    let text: string | undefined;
    const source = {
      headers: res.headers,
      text: () => (text ??= decodeBody(res.body, res.headers["content-type"])),
    };
    for (const [name, spec] of Object.entries(step.capture)) {
      const got = capture(spec, source);
      if ("error" in got) return `${describeCapture(name, spec)}: ${got.error}`;
      this.vars.set(name, got.value);
    }
    return undefined;
  }

  /** The step's request with its placeholders filled in. */
  private request(step: OperationStep): HttpRequestOptions {
    const { check, vars } = this;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(step.headers))
      headers[k.toLowerCase()] = substitute(v, vars, "verbatim");
    // As curl -d does: a body without a content type is a form.
    if (step.body !== undefined) headers["content-type"] ??= "application/x-www-form-urlencoded";
    if (step.auth !== undefined) headers.authorization ??= authorization(step.auth);
    return {
      url: substitute(step.url, vars, "url"),
      method: step.method,
      headers,
      body:
        step.body === undefined ? undefined : substitute(step.body, vars, bodySlot(headers["content-type"])),
      proxy: check.proxy,
      ip: check.ip,
      tls: { verify: check.tls.verify, ca: check.tls.ca, servername: check.tls.server_name },
      maxRedirects: step.max_redirects ?? check.max_redirects,
      maxBodyBytes: check.max_body_bytes,
      cookieJar: this.jar,
    };
  }

  private measured(p: HttpPhases, tls: TlsInfo | undefined): void {
    for (const k of Object.keys(p) as (keyof HttpPhases)[]) this.phases[k] += p[k];
    if (tls && (this.tls === undefined || tls.notAfter < this.tls.notAfter)) this.tls = tls;
  }
}

/** The secrets besides `secrets:` — auth passwords and tokens, the proxy's password — for redaction. */
function secretsOf(check: OperationCheck): string[] {
  const out = check.steps.map((s) =>
    s.auth === undefined ? "" : "bearer" in s.auth ? s.auth.bearer : s.auth.basic.password,
  );
  if (check.proxy !== undefined) out.push(decodeURIComponent(new URL(check.proxy).password));
  return out.filter((s) => s !== "");
}
