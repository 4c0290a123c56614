import { languageModelContract } from '../llm/contract.js';
import { createOfflineDialogueEngine } from './engine.js';

// The offline engine answers behind the same port as OpenAI and Anthropic, so it keeps the same contract.
languageModelContract('offline dialogue engine', async () => ({
  model: createOfflineDialogueEngine(),
  close: async () => undefined,
}));
