export {
  alertModule,
  alertSettingsFromEnv,
  ALERT_ROUTES,
  type AlertSettings,
  type AlertSources,
} from './alerts.js';
export { AlertsView, step, type Watch } from './view.js';
