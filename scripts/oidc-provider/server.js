// The OpenID provider Gevinst's tests sign in through: the npm package `oidc-provider` (panva),
// run as it comes, with only what a test needs configured here. Nothing of the protocol is
// written by us.
//
// - Any login is accepted with any password (the package's development interactions): the
//   test types a login and the provider vouches for it. Gevinst decides what that person may do.
// - The ID token carries `email` (= the login typed) and `name`, as Entra ID, AD FS and
//   Keycloak put them there; Gevinst reads the login from a configured claim (default `email`).
// - Clients register themselves (OpenID Connect Dynamic Client Registration), because each
//   test's Gevinst listens on its own random port and so has its own redirect URI.
//
// Usage: PORT=4011 node server.js   (issuer http://127.0.0.1:$PORT)
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 4011);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  features: {
    devInteractions: { enabled: true },
    registration: { enabled: true },
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // Scope-requested claims go into the ID token too (not only to userinfo).
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: `Testperson ${id}` };
      },
    };
  },
  // Plain http on 127.0.0.1 only: a test's provider, never a municipality's.
  cookies: { keys: ['gevinst-test-oidc-provider'] },
});
provider.proxy = false;

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
