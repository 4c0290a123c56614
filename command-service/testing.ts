export * from './src/identity/testing/oidc-issuer.js';
