export type DigestFrequency = "off" | "daily" | "weekly";

export interface Channel {
  id: string;
  label: string;
  enabled: boolean;
}

export interface NotificationPrefs {
  emailEnabled: boolean;
  digest: DigestFrequency;
  channels: Channel[];
}
