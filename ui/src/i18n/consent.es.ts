import type { consentEn } from './consent.en';

/** La tarjeta de consentimiento de grabación de la página de llamadas, en español. */
export const consentEs: typeof consentEn = {
  consent: {
    outcome: 'Consentimiento de grabación',
    outcomes: { given: 'Aceptado', refused: 'Rechazado' },
    methods: { announcement: 'oyó el aviso', key: 'con una tecla', phrase: 'con una frase' },
    byKey: 'tecla {key}',
    title: 'Consentimiento de grabación',
    hint: 'Si las llamadas se graban y cómo lo aceptan quienes llaman. Oyen el aviso antes de que se grabe nada.',
    policy: 'Política',
    policies: {
      off: 'Desactivada: las llamadas no se graban',
      announce: 'Aviso: se graba salvo que quien llama lo rechace',
      opt_in: 'Aceptación: se graba solo cuando quien llama lo acepta',
    },
    optOutKey: 'Tecla para rechazar',
    optInKey: 'Tecla para aceptar',
    optOutPhrases: 'Frases para rechazar',
    optInPhrases: 'Frases para aceptar',
    phrasesHint:
      'Separadas por comas; se reconocen en lo que dice quien llama, sin importar mayúsculas ni puntuación.',
    announcement: 'Aviso ({language})',
    announcementHint:
      "Vacío: el aviso de la plataforma, que nombra las teclas. {'{optOut}'} y {'{optIn}'} se sustituyen por las teclas.",
    save: 'Guardar el consentimiento de grabación',
    saved: 'Consentimiento de grabación guardado',
  },
};
