import type { CallScript } from '../../../api/admin';

/** One step of a script as its editor holds it (no expected intent: empty text). */
export interface StepDraft {
  id: string;
  prompt: string;
  expectedIntent: string;
}

/** A call script as its editor holds it: every field as typed (no agent type: empty text). */
export interface ScriptDraft {
  id: string;
  name: string;
  agentType: string;
  language: string;
  opening: string;
  steps: StepDraft[];
  objections: { objection: string; response: string }[];
  closing: string;
}

/** A new script's draft: the defaults the form starts from, with one empty step. */
export const blankDraft = (): ScriptDraft => ({
  id: '',
  name: '',
  agentType: '',
  language: 'en',
  opening: '',
  steps: [{ id: 'step-1', prompt: '', expectedIntent: '' }],
  objections: [],
  closing: '',
});

/** A script's draft from what is recorded. */
export const draftOf = (s: CallScript): ScriptDraft => ({
  id: s.id,
  name: s.name,
  agentType: s.agentType ?? '',
  language: s.language,
  opening: s.opening,
  steps: s.steps.map((step) => ({
    id: step.id,
    prompt: step.prompt,
    expectedIntent: step.expectedIntent ?? '',
  })),
  objections: s.objections.map((o) => ({ ...o })),
  closing: s.closing,
});
