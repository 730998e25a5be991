// HTTP(S) check as the website_uptime indicator defines it: one request chain (redirects followed, a new
// connection each probe), then the check's assertions on the final response — by default a 2xx/3xx.
import type { Assertion } from "../../config/assertions.js";
import type { HttpCheck } from "../../config/schema.js";
import { checkAssertions } from "../http/assert.js";
import { authorization } from "../http/auth.js";
import { HttpFailure, type HttpRequestOptions, httpRequest } from "../http/request.js";
import { tlsValues } from "../http/tls-info.js";
import { phaseValues, responseValues } from "../http/values.js";
import type { ProbeOutcome, Prober } from "./types.js";

/** What a check turns into once: request options and its assertion list, shorthands first. */
interface Plan {
  request: HttpRequestOptions;
  assertions: Assertion[];
}

// Built once per check object (configs are immutable while the agent runs): no per-probe parsing.
const plans = new WeakMap<HttpCheck, Plan>();

function planOf(check: HttpCheck): Plan {
  let plan = plans.get(check);
  if (plan !== undefined) return plan;
  const headers = { ...check.headers };
  if (check.auth !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "authorization"))
    headers.authorization = authorization(check.auth);
  const shorthands: Assertion[] = [];
  if (check.expect_status) shorthands.push({ type: "status", in: check.expect_status });
  if (check.keyword !== undefined) shorthands.push({ type: "body_contains", text: check.keyword });
  plan = {
    request: {
      url: check.url,
      method: check.method,
      headers,
      body: check.body,
      proxy: check.proxy,
      ip: check.ip,
      tls: { verify: check.tls.verify, ca: check.tls.ca, servername: check.tls.server_name },
      maxRedirects: check.max_redirects,
      maxBodyBytes: check.max_body_bytes,
    },
    assertions: [...shorthands, ...check.assertions],
  };
  plans.set(check, plan);
  return plan;
}

export class HttpProber implements Prober<HttpCheck> {
  readonly kind = "http";

  async probe(check: HttpCheck, signal: AbortSignal): Promise<ProbeOutcome> {
    const plan = planOf(check);
    const started = performance.now();
    try {
      const res = await httpRequest(plan.request, signal);
      const durationMs = performance.now() - started;
      const now = Date.now();
      const values = responseValues(res, now);
      const error = checkAssertions(plan.assertions, { ...res, durationMs, now });
      return error === undefined ? { ok: true, values } : { ok: false, error, values };
    } catch (e) {
      if (!(e instanceof HttpFailure)) throw e;
      const values = phaseValues(e.phases);
      if (e.tls) Object.assign(values, tlsValues(e.tls, Date.now()));
      return { ok: false, error: e.message, values };
    }
  }
}
