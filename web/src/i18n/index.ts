import { useEffect, useState } from "preact/hooks";
import agents from "./agents.js";
import common from "./common.js";
import faults from "./faults.js";
import inspections from "./inspections.js";
import maintenance from "./maintenance.js";
import reports from "./reports.js";
import status from "./status.js";
import targets from "./targets.js";

// Every page's dictionary, merged. Add a page's file here.
const tables = [common, faults, maintenance, inspections, targets, agents, reports, status] as const;

type Tables = (typeof tables)[number];
export type MessageKey = Tables extends infer T
  ? T extends { zh: infer Z }
    ? keyof Z & string
    : never
  : never;
export type Locale = "zh-CN" | "en";

const zh: Record<string, string> = Object.assign({}, ...tables.map((t) => t.zh));
const en: Record<string, string> = Object.assign({}, ...tables.map((t) => t.en));

/** Both tables, for the test that checks the English page shows no Chinese UI string. */
export const messages = { "zh-CN": zh, en } as const;

const STORAGE_KEY = "opswatch.locale";
let locale: Locale = localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "zh-CN";
const listeners = new Set<() => void>();

export function getLocale(): Locale {
  return locale;
}

export function setLocale(l: Locale): void {
  locale = l;
  localStorage.setItem(STORAGE_KEY, l);
  document.documentElement.lang = l;
  for (const f of listeners) f();
}

/** Re-renders the calling component when the language changes. */
export function useLocale(): Locale {
  const [, bump] = useState(0);
  useEffect(() => {
    const f = () => bump((n) => n + 1);
    listeners.add(f);
    return () => listeners.delete(f);
  }, []);
  return locale;
}

/** The string for `key` in the current language, with {name} placeholders filled. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const s = (locale === "en" ? en : zh)[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

document.documentElement.lang = locale;
