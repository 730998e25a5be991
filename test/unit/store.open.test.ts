import { describe, expect, it } from "vitest";
import { describeDatabase } from "../../server/store/open.js";

describe("describeDatabase", () => {
  it("never shows a PostgreSQL password, in the URL or its query", () => {
    expect(
      describeDatabase("postgres://ops:s3cret@db.example:5432/opswatch?sslmode=require&password=x"),
    ).toBe("postgres://ops:***@db.example:5432/opswatch");
    expect(describeDatabase("postgresql://ops@db/opswatch")).toBe("postgresql://ops@db/opswatch");
  });

  it("keeps secret references and SQLite paths as written", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a secret reference, not a template
    expect(describeDatabase("${OPSWATCH_PG_URL}")).toBe("${OPSWATCH_PG_URL}");
    expect(describeDatabase("file:/etc/opswatch/pg-url")).toBe("file:/etc/opswatch/pg-url");
    expect(describeDatabase("data/opswatch.db")).toBe("data/opswatch.db");
  });
});
