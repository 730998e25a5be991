import { t, useLocale } from "../i18n/index.js";

export function StatusPage() {
  useLocale();
  return <h1>{t("nav.status")}</h1>;
}
