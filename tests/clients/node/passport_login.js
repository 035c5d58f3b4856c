// A minimal web app that logs people in with the unmodified passport-facebook, for
// tests/clients/test_node_passport.py. Usage: node passport_login.js serve '<json: {graph, port, appId,
// appSecret, version}>'. It prints {"listening": port}, then serves /login (a redirect to the dialog)
// and /callback (the code exchange and the profile, answered as JSON), until stdin closes.
'use strict';
const http = require('http');
const passport = require('passport');
const FacebookStrategy = require('passport-facebook').Strategy;

const args = JSON.parse(process.argv[3]);
const base = `${args.graph}/${args.version}`;

// passport-facebook's documented options: its defaults are www.facebook.com/v3.2/dialog/oauth,
// graph.facebook.com/v3.2/oauth/access_token and graph.facebook.com/v3.2/me.
passport.use(new FacebookStrategy({
  clientID: args.appId,
  clientSecret: args.appSecret,
  callbackURL: `http://127.0.0.1:${args.port}/callback`,
  authorizationURL: `${base}/dialog/oauth`,
  tokenURL: `${base}/oauth/access_token`,
  profileURL: `${base}/me`,
  profileFields: ['id', 'displayName', 'name', 'emails', 'photos'],
  enableProof: true,
}, (accessToken, refreshToken, profile, done) => done(null, {accessToken, profile})));

function answer(res, status, body) {
  res.writeHead(status, {'Content-Type': 'application/json'});
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, `http://127.0.0.1:${args.port}`);
  req.query = Object.fromEntries(url.searchParams);  // what Express would parse
  const options = {session: false, scope: ['email']};
  if (url.pathname !== '/login' && url.pathname !== '/callback') return answer(res, 404, {});
  passport.authenticate('facebook', options, (err, user) => {
    if (err) {
      return answer(res, 502, {error: {name: err.name, message: err.message, code: err.code, subcode: err.subcode}});
    }
    if (!user) return answer(res, 401, {error: {name: 'NoUser'}});
    const {profile, accessToken} = user;
    return answer(res, 200, {
      accessToken, id: profile.id, displayName: profile.displayName, name: profile.name,
      emails: profile.emails, photos: profile.photos,
    });
  })(req, res, () => answer(res, 500, {}));
});

server.listen(args.port, '127.0.0.1', () => process.stdout.write(JSON.stringify({listening: args.port}) + '\n'));
process.stdin.on('end', () => server.close());
process.stdin.resume();
