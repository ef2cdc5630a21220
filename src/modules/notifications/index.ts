// The notifications module's front door: the only file other modules may import.
export { createNotificationsModule, type NotificationsModule, type NotificationsModuleDeps } from './module.ts';
