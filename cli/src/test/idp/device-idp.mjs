// A real OpenID Connect provider with the device authorization grant (RFC 8628), for the CLI's tests:
// panva's certified oidc-provider, which mock-oauth2-server can't stand in for (it has no device grant).
// Usage: node device-idp.mjs PORT PATH-TO-oidc-provider-PACKAGE
// Clients: bsg-device (codes live 10 minutes) and bsg-device-brief (codes live 2 seconds); any login name
// signs in as that person, whose email it is.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [port, packageDir] = process.argv.slice(2);
const { default: Provider } = await import(pathToFileURL(join(packageDir, 'lib', 'index.js')).href);
const issuer = `http://127.0.0.1:${port}`;
const deviceClient = (id) => ({
  client_id: id,
  token_endpoint_auth_method: 'none',
  grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
  response_types: [],
  redirect_uris: [],
});

const provider = new Provider(issuer, {
  clients: [deviceClient('bsg-device'), deviceClient('bsg-device-brief')],
  features: { deviceFlow: { enabled: true }, devInteractions: { enabled: true } },
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email: id, email_verified: true, name: `Person ${id}` }),
  }),
  ttl: {
    DeviceCode: (ctx, token, client) => (client.clientId === 'bsg-device-brief' ? 2 : 600),
  },
});
provider.listen(Number(port), '127.0.0.1', () => console.log(`listening ${issuer}`));
