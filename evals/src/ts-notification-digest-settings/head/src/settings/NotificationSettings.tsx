import { useEffect, useState } from "react";
import { ApiError, getJson, putJson } from "../api";
import type { DigestFrequency, NotificationPrefs } from "./types";

const FREQUENCIES: DigestFrequency[] = ["off", "daily", "weekly"];

/** Server answers from before the digest release have no `digest` or `channels`. */
function normalise(raw: any): NotificationPrefs {
  return {
    emailEnabled: raw.emailEnabled == true,
    digest: raw.digest ?? "off",
    channels: raw.channels ?? [],
  };
}

export function NotificationSettings() {
  const [prefs, setPrefs] = useState<NotificationPrefs | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const load = async () => {
      try {
        setPrefs(normalise(await getJson("/me/notifications", controller.signal)));
      } catch (err) {
        if ((err as Error).name !== "AbortError") setPrefs(normalise({}));
      }
    };
    void load();
    return () => controller.abort();
  }, []);

  if (prefs == null) return <p>Loading…</p>;

  const save = async (next: NotificationPrefs) => {
    setSaving(true);
    setError(null);
    try {
      await putJson("/me/notifications", next);
      setPrefs(next);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not save your settings, try again.");
    } finally {
      setSaving(false);
    }
  };

  const toggleChannel = (id: string) =>
    save({
      ...prefs,
      channels: prefs.channels.map((c) => (c.id === id ? { ...c, enabled: !c.enabled } : c)),
    });

  return (
    <section>
      <h2>Notifications</h2>
      {error && <p role="alert">{error}</p>}
      <label>
        <input
          type="checkbox"
          checked={prefs.emailEnabled}
          disabled={saving}
          onChange={() => save({ ...prefs, emailEnabled: !prefs.emailEnabled })}
        />
        Email me about account activity
      </label>
      <label>
        Digest
        <select
          value={prefs.digest}
          disabled={saving || !prefs.emailEnabled}
          // @ts-ignore the event target is always a select here
          onChange={(e) => save({ ...prefs, digest: e.target.value })}
        >
          {FREQUENCIES.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
      </label>
      <ul>
        {prefs.channels.map((channel) => (
          <li key={channel.id}>
            <label>
              <input
                type="checkbox"
                checked={channel.enabled}
                disabled={saving}
                onChange={() => toggleChannel(channel.id)}
              />
              {channel.label}
            </label>
          </li>
        ))}
      </ul>
    </section>
  );
}
