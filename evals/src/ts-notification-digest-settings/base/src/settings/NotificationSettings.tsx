import { useEffect, useState } from "react";
import { getJson, putJson } from "../api";
import type { NotificationPrefs } from "./types";

export function NotificationSettings() {
  const [prefs, setPrefs] = useState<NotificationPrefs | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    getJson<NotificationPrefs>("/me/notifications", controller.signal)
      .then(setPrefs)
      .catch((err) => {
        if (err.name !== "AbortError") setPrefs({ emailEnabled: false });
      });
    return () => controller.abort();
  }, []);

  if (prefs === null) return <p>Loading…</p>;

  const toggleEmail = async () => {
    const next = { ...prefs, emailEnabled: !prefs.emailEnabled };
    await putJson("/me/notifications", next);
    setPrefs(next);
  };

  return (
    <section>
      <h2>Notifications</h2>
      <label>
        <input type="checkbox" checked={prefs.emailEnabled} onChange={toggleEmail} />
        Email me about account activity
      </label>
    </section>
  );
}
