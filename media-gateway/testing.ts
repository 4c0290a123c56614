/** @ccp/media-gateway/testing: audio signals for speech tests, and the language model contract for real servers. */
export * from './src/speech/testing/signals.js';
export {
  contractRequest,
  expectWellFormed,
  languageModelContract,
  withSentences,
  type LanguageModelContractOptions,
  type LanguageModelFixture,
} from './src/llm/contract.js';
export { isMarkup } from './src/llm/reply-check.js';
export { toChatCompletionRequest } from './src/llm/openai.js';
export { splitSentences } from './src/llm/sentences.js';
export { unsupportedFacts } from './src/conversation/guards/index.js';
