import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

export type Locale = 'en' | 'es';
export const LOCALES: readonly Locale[] = ['en', 'es'];

const THEME_KEY = 'ccp.theme';
const LOCALE_KEY = 'ccp.locale';

const storedTheme = (): boolean => {
  const stored = localStorage.getItem(THEME_KEY);
  if (stored === 'dark') return true;
  if (stored === 'light') return false;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
};

export const initialLocale = (): Locale => {
  const stored = localStorage.getItem(LOCALE_KEY);
  if (stored === 'en' || stored === 'es') return stored;
  return navigator.language.toLowerCase().startsWith('es') ? 'es' : 'en';
};

/** Dark mode: the user's choice, kept across visits; until they choose, the system's. */
export const useThemeStore = defineStore('theme', () => {
  const dark = ref(storedTheme());
  const toggle = (): void => {
    dark.value = !dark.value;
  };
  watch(
    dark,
    (value, previous) => {
      document.documentElement.dataset['theme'] = value ? 'dark' : 'light';
      document.documentElement.style.colorScheme = value ? 'dark' : 'light';
      if (previous !== undefined) localStorage.setItem(THEME_KEY, value ? 'dark' : 'light');
    },
    { immediate: true },
  );
  /** The tenant's own colour (white label), from its branding; null for the platform's look. */
  const brandColor = ref<string | null>(null);
  return { dark, toggle, brandColor };
});

export const useLocaleStore = defineStore('locale', () => {
  const locale = ref<Locale>(initialLocale());
  const set = (next: Locale): void => {
    locale.value = next;
    localStorage.setItem(LOCALE_KEY, next);
  };
  watch(
    locale,
    (value) => {
      document.documentElement.lang = value;
    },
    { immediate: true },
  );
  return { locale, set };
});
