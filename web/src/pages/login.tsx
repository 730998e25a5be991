import { useState } from "preact/hooks";
import { t, useLocale } from "../i18n/index.js";
import { navigate } from "../router.js";
import { login } from "../session.js";

/** The console's sign-in form; goes on to ?next= (or the first console page) when it succeeds. */
export function LoginPage(props: { next: string }) {
  useLocale();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    try {
      await login(String(form.get("user")), String(form.get("password")));
      navigate(props.next);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card narrow">
      <h1>{t("login.title")}</h1>
      <form onSubmit={submit}>
        <label>
          {t("login.user")}
          <input name="user" autoComplete="username" required />
        </label>
        <label>
          {t("login.password")}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <p class="error" role="alert">
            {t("login.failed", { message: error })}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t("login.submit")}
        </button>
      </form>
    </section>
  );
}
