import { MachineVoiceDecoder, type MachineVoiceUtterance } from './machine-voice.js';
import { EMPTY_TRANSCRIPT, type RecognitionSession, type SpeechToText } from './port.js';

/**
 * The embedded recognizer: decodes the machine voice (see machine-voice.ts) that SIMULATED callers speak. It
 * does not recognise human speech — a human caller decodes to an empty transcript; on the embedded profile
 * human callers are heard through Twilio's own speech gather instead. The machine voice carries no language,
 * so none is reported.
 */
export const createMachineVoiceSpeechToText = (): SpeechToText => ({
  name: 'machine-voice',
  start: (_options, onInterim): RecognitionSession => {
    const decoder = new MachineVoiceDecoder();
    const heard: MachineVoiceUtterance[] = [];
    let aborted = false;
    let interim = '';
    return {
      write: (frame) => {
        if (aborted) return;
        heard.push(...decoder.push(frame));
        // Interim results per whole word, as a streaming recognizer would give them.
        const partial = decoder.partialText;
        if (onInterim !== undefined && partial.endsWith(' ') && partial.trim() !== interim) {
          interim = partial.trim();
          onInterim({ text: interim, confidence: 1, isFinal: false });
        }
      },
      finish: async () => {
        if (aborted) return EMPTY_TRANSCRIPT;
        const cutOff = decoder.flush();
        const utterances = cutOff === undefined ? heard : [...heard, cutOff];
        if (utterances.length === 0) return EMPTY_TRANSCRIPT;
        return {
          text: utterances.map((u) => u.text).join(' '),
          confidence: Math.min(...utterances.map((u) => u.confidence)),
          isFinal: true,
        };
      },
      abort: () => {
        aborted = true;
      },
    };
  },
});
