export interface NotificationPrefs {
  emailEnabled: boolean;
}
