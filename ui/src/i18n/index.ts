import { createI18n } from 'vue-i18n';
import { initialLocale, type Locale } from '../stores/preferences';
import { en, type Messages } from './en';
import { es } from './es';
import { adminEn } from './admin.en';
import { adminEs } from './admin.es';
import { campaignsEn } from './campaigns.en';
import { campaignsEs } from './campaigns.es';
import { appointmentsEn } from './appointments.en';
import { appointmentsEs } from './appointments.es';
import { platformEn } from './platform.en';
import { platformEs } from './platform.es';
import { workspaceEn } from './workspace.en';
import { workspaceEs } from './workspace.es';
import { billingEn } from './billing.en';
import { billingEs } from './billing.es';
import { integrationsEn } from './integrations.en';
import { integrationsEs } from './integrations.es';
import { alertsEn } from './alerts.en';
import { alertsEs } from './alerts.es';
import { complianceEn } from './compliance.en';
import { complianceEs } from './compliance.es';
import { consentEn } from './consent.en';
import { consentEs } from './consent.es';

export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: {
    en: {
      ...en,
      ...adminEn,
      ...platformEn,
      ...workspaceEn,
      ...campaignsEn,
      ...appointmentsEn,
      ...billingEn,
      ...integrationsEn,
      ...alertsEn,
      ...complianceEn,
      ...consentEn,
    },
    es: {
      ...es,
      ...adminEs,
      ...platformEs,
      ...workspaceEs,
      ...campaignsEs,
      ...appointmentsEs,
      ...billingEs,
      ...integrationsEs,
      ...alertsEs,
      ...complianceEs,
      ...consentEs,
    },
  },
  // Missing keys are a bug caught by the type check; at run time an unknown enum value shows as itself.
  missingWarn: false,
  fallbackWarn: false,
});
