import { createPinia } from 'pinia';
import { createApp, watch } from 'vue';
import App from './App.vue';
import { configureApi } from './api/client';
import { i18n } from './i18n';
import { router } from './router';
import { useLocaleStore } from './stores/preferences';
import { useSessionStore } from './stores/session';
import './styles.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.use(i18n);

const session = useSessionStore(pinia);
configureApi({
  token: () => session.token,
  tenantId: () => (session.isSuperAdmin ? session.selectedTenant : undefined),
  onUnauthorized: () => {
    session.expire();
    const current = router.currentRoute.value;
    if (!current.meta.public) void router.push({ name: 'login', query: { redirect: current.fullPath } });
  },
});

const locale = useLocaleStore(pinia);
watch(
  () => locale.locale,
  (value) => {
    i18n.global.locale.value = value;
    // The page title is translated too.
    const title = router.currentRoute.value.meta.title;
    const name = i18n.global.t('app.name');
    if (title !== undefined) document.title = `${i18n.global.t(title)} · ${name}`;
  },
  { immediate: true },
);

app.use(router);
app.mount('#app');
