// A real, certified OpenID Connect provider (panva/node-oidc-provider) that issues ProConnect's claims, for the tests.
//   PORT=…  CLIENTS_FILE=clients.json  ACCOUNTS_FILE=accounts.json  [SESSION_TTL=seconds]  node provider.mjs
// Listens on 127.0.0.1 only. Accounts are read from ACCOUNTS_FILE at each sign-in (the tests change them):
//   {"<sub>": {"email": "…", "given_name": "…", "usual_name": "…", "uid": "…", "siret": "…", "idp_id": "…", …}}
// The login page is the package's development page: the login typed is the account's sub, any password works.
// Prints "ready <issuer>" once it listens.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(readFileSync(process.env.CLIENTS_FILE, 'utf8'));
const sessionTtl = Number(process.env.SESSION_TTL || 3600);
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'rupn-test-rs256', alg: 'RS256', use: 'sig' };

// ProConnect's claims, each requested by the scope of the same name (ProConnect's convention).
const PROCONNECT_CLAIMS = [
  'email', 'given_name', 'usual_name', 'uid', 'siret', 'idp_id',
  'organizational_unit', 'belonging_population', 'phone',
];

const configuration = {
  clients: clients.map((client) => ({
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
    userinfo_signed_response_alg: 'RS256', // ProConnect answers the userinfo endpoint with a signed JWT
    ...client,
  })),
  scopes: ['openid', ...PROCONNECT_CLAIMS],
  claims: Object.fromEntries([['openid', ['sub']], ...PROCONNECT_CLAIMS.map((claim) => [claim, [claim]])]),
  async findAccount(ctx, sub) {
    const accounts = JSON.parse(readFileSync(process.env.ACCOUNTS_FILE, 'utf8'));
    const account = accounts[sub];
    if (!account) return undefined;
    return { accountId: sub, async claims() { return { ...account, sub }; } };
  },
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    jwtUserinfo: { enabled: true },
  },
  pkce: { required: () => true },
  ttl: {
    Session: sessionTtl,
    Interaction: 600,
    Grant: sessionTtl,
    AuthorizationCode: 60,
    AccessToken: 600,
    IdToken: 600,
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Error</title></head><body><h1>${out.error}</h1><p>${out.error_description || ''}</p></body></html>`;
  },
};

const provider = new Provider(issuer, configuration);
provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
