import type { ComponentChildren } from "preact";
import { getLocale, setLocale, t, useLocale } from "../i18n/index.js";
import { pages } from "../routes.js";
import { can, logout, useSession } from "../session.js";

/** Header (site name, navigation, language, user) and the page below it. */
export function Layout(props: { site: string; path: string; children: ComponentChildren }) {
  useLocale();
  const me = useSession();
  const visible = pages.filter((p) => can(me, p.role));
  const link = (href: string, label: string) => (
    <a href={href} aria-current={props.path === href ? "page" : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <a class="skip" href="#main">
        {t("nav.skip")}
      </a>
      <header class="top">
        <span class="brand">{props.site}</span>
        <nav aria-label={t("nav.menu")}>
          {link("/status", t("nav.status"))}
          {visible.map((p) => link(`/console/${p.path}`, t(p.nav)))}
        </nav>
        <span class="tools">
          <button
            type="button"
            class="link"
            // The visible language name is the accessible name (axe: label-content-name-mismatch);
            // what the button does is its description.
            title={t("lang.toggle.label")}
            lang={getLocale() === "en" ? "zh-CN" : "en"}
            onClick={() => setLocale(getLocale() === "en" ? "zh-CN" : "en")}
          >
            {t("lang.toggle")}
          </button>
          {me ? (
            <>
              <span class="who">
                {me.user} · {t(`role.${me.role}`)}
              </span>
              <button type="button" class="link" onClick={() => void logout()}>
                {t("nav.logout")}
              </button>
            </>
          ) : (
            link("/console/login", t("nav.login"))
          )}
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}
