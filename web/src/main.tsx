import { type ComponentChildren, render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "./api.js";
import { Layout } from "./components/layout.js";
import { setZone } from "./format.js";
import { t, useLocale } from "./i18n/index.js";
import { LoginPage } from "./pages/login.js";
import { StatusPage } from "./pages/status.js";
import { onLinkClick, useLocation } from "./router.js";
import { pages } from "./routes.js";
import { can, useSession } from "./session.js";
import "./styles.css";

interface Site {
  name: string;
  timezone: string;
  status_page: boolean;
}

function App() {
  useLocale();
  const { path, query } = useLocation();
  const me = useSession();
  const [site, setSite] = useState<Site>();
  useEffect(() => {
    api.get<Site>("/api/v1/site").then(
      (s) => {
        setZone(s.timezone);
        setSite(s);
      },
      () => setSite({ name: "opswatch", timezone: "Asia/Shanghai", status_page: false }),
    );
  }, []);
  if (!site) return <p class="loading">{t("common.loading")}</p>;
  let body: ComponentChildren;
  if (path === "/" || path === "/status")
    body = site.status_page ? <StatusPage /> : <LoginPage next="/console" />;
  else if (path === "/console/login") body = <LoginPage next={query.get("next") ?? "/console"} />;
  else if (path.startsWith("/console")) {
    const visible = pages.filter((p) => can(me, p.role));
    const sub = path.replace(/^\/console\/?/, "");
    const page = sub ? pages.find((p) => p.path === sub) : visible[0];
    if (me === undefined) body = <p class="loading">{t("common.loading")}</p>;
    // the query too: a notification's link (/console/faults?id=N) lands on its fault after login
    else if (me === null) body = <LoginPage next={path + location.search} />;
    else if (!page) body = <h1>{t("notfound.title")}</h1>;
    else if (!can(me, page.role)) body = <p class="error">{t("common.forbidden")}</p>;
    else body = <page.component />;
  } else body = <h1>{t("notfound.title")}</h1>;
  return (
    <Layout site={site.name} path={path}>
      {body}
    </Layout>
  );
}

document.addEventListener("click", onLinkClick);
render(<App />, document.getElementById("app") as HTMLElement);
