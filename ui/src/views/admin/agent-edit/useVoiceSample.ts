import { computed, nextTick, onBeforeUnmount, ref, shallowRef, useId, watch } from 'vue';
import { useI18n } from 'vue-i18n';
import { voiceSample, MACHINE_VOICE_ENGINE } from '../../../api/admin';
import { useErrorText } from '../../../utils/errors';
import { listOf } from '../form';

/**
 * The voice sample: WAV from the platform's text-to-speech, fetched with the session's credentials (an <audio>
 * element cannot send them) and played from a blob URL.
 *
 * Held by the editor rather than by the form that shows it: the form is taken down while the agent is read again
 * (after a save), and the sample last heard stays.
 */
export const useVoiceSample = (voice: () => string, languages: () => string) => {
  const { t } = useI18n();
  const errorText = useErrorText();

  /** The <audio> element that plays it (VoiceSample.vue's). */
  const audio = shallowRef<HTMLAudioElement | null>(null);
  const sampleHeadingId = `sample-${useId()}`;
  const sampleLanguage = ref('en');
  const sampleLanguages = computed(() => {
    const tags = listOf(languages()).filter((tag) => /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(tag));
    return tags.length > 0 ? tags : ['en'];
  });
  watch(
    sampleLanguages,
    (tags) => {
      if (!tags.includes(sampleLanguage.value)) sampleLanguage.value = tags[0] ?? 'en';
    },
    { immediate: true },
  );
  const sampleUrl = ref<string | undefined>();
  const sampleSize = ref(0);
  const sampleBusy = ref(false);
  const sampleStatus = ref('');
  /** How the last sample was heard: through the element, or decoded and played through Web Audio. */
  const playback = ref<'element' | 'decoded' | 'controls' | ''>('');
  let bytes: ArrayBuffer | undefined;
  let context: AudioContext | undefined;

  /**
   * Plays the decoded sound through Web Audio when the element cannot play the blob (a Content-Security-Policy
   * without blob: in media-src refuses it), so that the sample is heard either way.
   */
  const playDecoded = async (): Promise<void> => {
    if (bytes === undefined) return;
    context ??= new AudioContext();
    const buffer = await context.decodeAudioData(bytes.slice(0));
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    source.start();
    playback.value = 'decoded';
  };

  const playSample = async (): Promise<void> => {
    sampleBusy.value = true;
    playback.value = '';
    sampleStatus.value = t('admin.agents.sampleLoading');
    try {
      const { audio: blob, engine } = await voiceSample(voice(), sampleLanguage.value);
      bytes = await blob.arrayBuffer();
      if (sampleUrl.value !== undefined) URL.revokeObjectURL(sampleUrl.value);
      sampleUrl.value = URL.createObjectURL(blob);
      sampleSize.value = blob.size;
      await nextTick();
      const element = audio.value;
      // The machine voice is no voice at all: say so rather than let it pass for how callers hear the agent.
      sampleStatus.value =
        engine === MACHINE_VOICE_ENGINE
          ? t('admin.agents.sampleMachineVoice', { voice: voice() })
          : t('admin.agents.samplePlaying', { voice: voice(), language: sampleLanguage.value });
      if (!element) return;
      element.load();
      try {
        await element.play();
        playback.value = 'element';
      } catch (e) {
        // Autoplay refused: the controls are there to start it. Anything else: the element cannot play it.
        if (e instanceof DOMException && e.name === 'NotAllowedError') playback.value = 'controls';
        else await playDecoded();
      }
    } catch (e) {
      sampleStatus.value = errorText(e);
    } finally {
      sampleBusy.value = false;
    }
  };
  onBeforeUnmount(() => {
    if (sampleUrl.value !== undefined) URL.revokeObjectURL(sampleUrl.value);
    void context?.close();
  });

  return {
    audio,
    sampleHeadingId,
    sampleLanguage,
    sampleLanguages,
    sampleUrl,
    sampleSize,
    sampleBusy,
    sampleStatus,
    playback,
    playSample,
  };
};

export type VoiceSample = ReturnType<typeof useVoiceSample>;
