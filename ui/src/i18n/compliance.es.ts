import type { complianceEn } from './compliance.en';

/** La pantalla RGPD (supresión y acceso), en español: las mismas claves que compliance.en.ts. */
export const complianceEs: typeof complianceEn = {
  gdpr: {
    nav: 'Solicitudes RGPD',
    title: 'RGPD: supresión y derecho de acceso',
    subtitle:
      'Identifique a una persona por teléfono, correo o id de contacto: exporte todo lo que el cliente guarda sobre ella, o suprímalo de llamadas, transcripciones, contactos, citas, tickets, mensajes y grabaciones.',
    form: {
      title: 'Una persona',
      kind: 'Identificada por',
      value: 'Teléfono, correo o id de contacto',
      export: 'Exportar sus datos',
      erase: 'Suprimir sus datos',
      confirm: '¿Suprimir todo lo que se guarda sobre {value}? No se puede deshacer.',
      exported: '{file} guardado: {count} registros',
      erased: 'Supresión {id} iniciada: {count} registros',
    },
    kinds: { phone: 'Teléfono', email: 'Correo electrónico', contact: 'Id de contacto' },
    erasures: 'Supresiones',
    noErasures: 'Todavía no hay supresiones.',
    columns: {
      erasure: 'Supresión',
      status: 'Estado',
      requestedBy: 'Pedida por',
      requestedAt: 'Pedida',
      erasedAt: 'Hecha',
      counts: 'Suprimido',
    },
    status: { requested: 'Pedida', planned: 'Suprimiendo', erased: 'Suprimida' },
    certificate: {
      title: 'Certificado de supresión {id}',
      streams: 'Registros',
      keys: 'Claves borradas',
      rows: 'Filas vaciadas',
      recordings: 'Grabaciones',
      none: 'ninguna',
      show: 'Certificado',
    },
  },
};
