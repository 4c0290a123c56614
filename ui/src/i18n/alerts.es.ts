import type { alertsEn } from './alerts.en';

/** El panel de alertas (página de salud y página de alertas del cliente), en español. */
export const alertsEs: typeof alertsEn = {
  alerts: {
    nav: 'Alertas',
    title: 'Alertas',
    subtitle:
      'Reglas que la plataforma comprueba cada pocos segundos; cada alerta se dispara una vez cuando su cifra se mantiene al otro lado del umbral durante el tiempo fijado, y se resuelve una vez cuando vuelve.',
    platformTitle: 'Alertas de la plataforma',
    rules: 'Reglas',
    noRules: 'Todavía no hay reglas de alerta.',
    recent: 'Alertas recientes',
    noRecent: 'Todavía no se ha disparado nada.',
    failures: 'Notificaciones no entregadas',
    noFailures: 'Se entregaron todas las notificaciones.',
    columns: {
      name: 'Regla',
      kind: 'Vigila',
      threshold: 'Umbral',
      forSeconds: 'Durante',
      channels: 'Canales',
      status: 'Estado',
      value: 'Ahora',
    },
    status: { ok: 'Correcto', pending: 'Pendiente', firing: 'Disparada' },
    transition: { fired: 'Disparada', resolved: 'Resuelta' },
    kinds: {
      processor_lag: 'Retraso de los procesadores (s)',
      error_rate: 'Tasa de errores del servidor (%)',
      provider_failures: 'Proveedores con fallos',
      sla_breach_burst: 'Incumplimientos de SLA en 15 min',
      usage_cap: 'Uso del límite del plan (%)',
      disk_space: 'Disco libre (MB, se dispara por debajo)',
    },
    channelKinds: { telegram: 'Telegram', slack: 'Slack', email: 'Correo' },
    channels: {
      title: 'Canales de alerta',
      subtitle:
        'Los chats de Telegram, canales de Slack y buzones de la propia plataforma a los que avisan sus reglas de alerta. Sus secretos (un token de bot, una URL de webhook) se guardan sellados y no se vuelven a mostrar.',
      none: 'Todavía no hay canales de alerta: añada uno abajo.',
      add: 'Añadir un canal de alerta',
    },
    form: {
      title: 'Definir una regla',
      ruleId: 'Id de la regla',
      name: 'Nombre',
      kind: 'Vigila',
      threshold: 'Umbral',
      forSeconds: 'Durante (segundos)',
      channels: 'Canales',
      channelsHint:
        'Conexiones de la página de integraciones; a cada una se le avisa cuando la alerta se dispara y cuando se resuelve.',
      platformChannelsHint:
        'Los canales de alerta de abajo; a cada uno se le avisa cuando la alerta se dispara y cuando se resuelve.',
      noChannels:
        'Todavía no hay conexiones de Telegram, Slack o correo: la alerta solo se registra y se muestra aquí.',
      disabled: 'desactivada',
      save: 'Guardar regla',
      saved: 'Regla guardada',
      remove: 'Quitar',
      removed: 'Regla quitada',
    },
    attempts: '{count} intentos',
    seconds: '{count} s',
  },
};
