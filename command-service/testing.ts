/** @ccp/command-service/testing: a local OpenID Connect issuer (a stand-in identity provider for tests). */
export * from './src/identity/testing/oidc-issuer.js';
