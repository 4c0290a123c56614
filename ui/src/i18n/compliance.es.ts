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
  retention: {
    title: 'Conservación y retenciones legales',
    subtitle:
      'Cuántos días conserva la empresa cada tipo de dato personal; se aplica cada día, con el mismo borrado que el de una persona. Vacío lo conserva. Una retención legal conserva una llamada o a una persona hasta que se libera.',
    kinds: {
      recordingsDays: 'Grabaciones (días)',
      transcriptsDays: 'Transcripciones y datos de llamadas (días)',
      messagesDays: 'Mensajes (días)',
    },
    forever: 'Se conserva',
    save: 'Guardar la política',
    saved: 'Política de conservación guardada',
    holds: 'Retenciones legales',
    noHolds: 'No hay retenciones legales.',
    holdKind: 'Retener',
    holdKinds: { call: 'Una llamada (su id)' },
    holdValue: 'Id de llamada, teléfono, email o id de contacto',
    reason: 'Motivo',
    place: 'Aplicar la retención',
    holdPlaced: 'Retención legal aplicada',
    release: 'Liberar',
    callTarget: 'Llamada {id}',
    erased: '(borrada)',
    columns: { target: 'Conserva', reason: 'Motivo', placedAt: 'Aplicada' },
  },
};
