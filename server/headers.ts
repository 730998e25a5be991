import type { NextFunction, Request, Response } from "express";

/**
 * Secure headers on every response. The CSP is strict (same-origin only, no framing) so the web console
 * that will live under it can't be turned against its users by injected markup or clickjacking.
 * HSTS only over TLS: sent over plain HTTP it would be ignored at best and strand users at worst.
 */
export function secureHeaders(o: { hstsMaxAgeMs?: number }) {
  const hsts = o.hstsMaxAgeMs === undefined ? undefined : `max-age=${Math.floor(o.hstsMaxAgeMs / 1000)}`;
  return (req: Request, res: Response, next: NextFunction) => {
    if (hsts) res.setHeader("Strict-Transport-Security", hsts);
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Referrer-Policy", "no-referrer");
    res.setHeader(
      "Content-Security-Policy",
      "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
    );
    // API answers carry operational data and tokens' effects: never kept by a browser or proxy cache.
    if (req.path.startsWith("/api/")) res.setHeader("Cache-Control", "no-store");
    next();
  };
}
