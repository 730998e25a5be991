// opswatch import FILE.ndjson: streams historical results to POST /api/v1/import. The file is read in
// 1 MiB chunks as the connection takes them, so a multi-GB file never sits in memory.
import { open } from "node:fs/promises";
import type { Command } from "commander";
import type { ImportSummary } from "../server/import.js";
import { action, CliError, Client, type ClientOptions, clientOptions } from "./client.js";
import { fields } from "./format.js";

const CHUNK = 1 << 20;

export function fmtBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Progress on stderr, only when it is a terminal: "sent 1.2 GiB / 3.4 GiB (35%)", at most 5 times a second. */
function progress(total: number) {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  const show = (text: string) => process.stderr.write(`\r\x1b[K${text}`);
  const line = (sent: number) =>
    `sent ${fmtBytes(sent)} / ${fmtBytes(total)} (${total ? Math.floor((sent / total) * 100) : 100}%)`;
  return {
    update(sent: number) {
      const now = Date.now();
      if (!tty || now - last < 200) return;
      last = now;
      show(line(sent));
    },
    uploaded(sent: number) {
      if (tty) show(`${line(sent)}; the server is importing…`);
    },
    clear() {
      if (tty) process.stderr.write("\r\x1b[K");
    },
  };
}

export function summaryText(s: ImportSummary): string {
  const out = [
    fields([
      ["lines", String(s.lines)],
      ["imported", String(s.imported)],
      ["duplicates", String(s.duplicates)],
      ["rejected", String(s.rejected)],
    ]),
  ];
  if (s.errors.length) {
    out.push("rejected lines:", ...s.errors.map((e) => `  line ${e.line}: ${e.reason}`));
    if (s.rejected > s.errors.length)
      out.push(
        `  … and ${s.rejected - s.errors.length} more (the server lists the first ${s.errors.length})`,
      );
  }
  return out.join("\n");
}

export function registerImportCommand(program: Command): void {
  clientOptions(
    program
      .command("import")
      .description(
        "backfill historical results from an NDJSON file (one JSON object a line), streamed to the server; importing the same file again adds nothing (operator token)",
      ),
  )
    .argument(
      "<file>",
      "NDJSON file: {target, check?, agent?, ts (ISO 8601 with offset), ok, duration_ms, error?, values?}",
    )
    .option("--json", "print the server's summary as JSON")
    .action(
      action(async (file: string, o: ClientOptions & { json?: boolean }) => {
        const client = new Client(o);
        client.requireToken();
        let fh: Awaited<ReturnType<typeof open>>;
        try {
          fh = await open(file, "r");
        } catch (e) {
          throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
        }
        let closed = false;
        const close = async () => {
          if (closed) return;
          closed = true;
          await fh.close();
        };
        let summary: ImportSummary;
        try {
          const st = await fh.stat();
          if (!st.isFile()) throw new CliError(`${file} is not a regular file`);
          const p = progress(st.size);
          let sent = 0;
          const body = new ReadableStream<Uint8Array>({
            async pull(ctrl) {
              const buf = new Uint8Array(CHUNK);
              const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
              if (bytesRead === 0) {
                await close();
                ctrl.close();
                p.uploaded(sent);
                return;
              }
              sent += bytesRead;
              p.update(sent);
              ctrl.enqueue(bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead));
            },
            cancel: close,
          });
          try {
            summary = await client.request<ImportSummary>("POST", client.url("/api/v1/import"), {
              body,
              duplex: "half",
              headers: { "content-type": "application/x-ndjson" },
              // Without these two, fetch clones the request to be able to replay it on a redirect: it
              // tees the body and the unread branch keeps every chunk sent, i.e. the whole file
              // (nodejs/undici#4058). No redirect, no window: the body is streamed and dropped.
              redirect: "error",
              window: null,
            });
          } finally {
            p.clear();
          }
        } finally {
          await close();
        }
        process.stdout.write(o.json ? `${JSON.stringify(summary, null, 2)}\n` : `${summaryText(summary)}\n`);
        if (summary.rejected > 0)
          throw new CliError(
            `${summary.rejected} line(s) of ${file} rejected${summary.imported + summary.duplicates ? "; the valid lines were imported" : ""}`,
          );
      }),
    );
}
