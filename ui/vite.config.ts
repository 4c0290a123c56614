import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// `vite` (dev server) talks to a platform started with `npm start`; the built console is served by the platform.
const platform = process.env['CCP_PLATFORM_URL'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  plugins: [vue()],
  define: {
    // vue-i18n's bundler build reads these flags; left undefined it warns and keeps the legacy API it never uses.
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // Naive UI and ECharts are large but cached for good (hashed names); the warning would only be noise.
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': { target: platform, changeOrigin: false },
      '/twilio': { target: platform, changeOrigin: false },
      '/health': { target: platform, changeOrigin: false },
    },
  },
});
