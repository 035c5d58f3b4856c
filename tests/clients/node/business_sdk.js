// Drives the unmodified facebook-nodejs-business-sdk against adgate for tests/clients/test_node_business_sdk.py.
// Usage: node business_sdk.js <step> '<json: {graph, token, ...}>'; prints one JSON line:
// {"ok": ...} or {"error": {status, code, subcode, type, message, headers}}.
'use strict';
const bizSdk = require('facebook-nodejs-business-sdk');
const {FacebookAdsApi, FacebookAdsApiBatch, User, AdAccount, AdReportRun, Business} = bizSdk;

const [step, raw] = process.argv.slice(2);
const args = JSON.parse(raw);

// FacebookAdsApi.GRAPH is a static getter with no setter (assigning to it does nothing). The way to
// point the SDK elsewhere without changing it is to redefine that (configurable) property; every
// request, cursor page and batch reads it at call time.
// Without args.graph the SDK keeps its own https://graph.facebook.com (tests/intercept/ drives it
// through adgate's interception proxy with only HTTPS_PROXY and NODE_EXTRA_CA_CERTS set).
if (args.graph) Object.defineProperty(FacebookAdsApi, 'GRAPH', {get: () => args.graph});

const api = FacebookAdsApi.init(args.token, 'en_US', false);
if (args.headers) api.setShowHeader(true);

const data = (objects) => objects.map((o) => o._data);

async function allPages(cursor) {
  const pages = [data(cursor)];
  while (cursor.hasNext()) {
    cursor = await cursor.next();
    pages.push(data(cursor));
  }
  return {pages, summary: cursor.summary || null};
}

const steps = {
  async me() {
    return (await new User(args.user || 'me').read(args.fields))._data;
  },
  async adAccounts() {
    return allPages(await new User(args.user || 'me').getAdAccounts(['name', 'account_id'], {limit: args.limit}));
  },
  async byIds() {
    const found = await AdAccount.getByIds(args.ids, ['name', 'account_id']);
    // getByIds builds each object as `new AdAccount(data)`: the read object lands in `.id`.
    return found.map((a) => ({cls: a.constructor.name, read: a.id}));
  },
  async campaigns() {
    const account = new AdAccount(args.account);
    const made = await account.createCampaign([], {
      name: args.name, objective: 'OUTCOME_TRAFFIC', status: 'PAUSED', special_ad_categories: [],
    });
    const listed = await account.getCampaigns(['name', 'status'], {effective_status: ['PAUSED']});
    return {created: made.id, listed: data(listed), headers: listed.headers || null};
  },
  async insights() {
    const rows = await new AdAccount(args.account).getInsights(['impressions', 'spend'], {date_preset: 'last_7d'});
    return data(rows);
  },
  async insightsAsync() {
    const run = await new AdAccount(args.account).getInsightsAsync(['impressions'], {date_preset: 'last_7d'});
    return {id: run.id, cls: run.constructor.name};
  },
  async reportRun() {
    // AdReportRun's constructor takes its id only from data.report_run_id (as POST insights answers).
    const run = await new AdReportRun(null, {report_run_id: args.run}).read(['async_status', 'async_percent_completion']);
    const result = {status: run.async_status, percent: run.async_percent_completion};
    if (run.async_status === 'Job Completed') result.rows = data(await run.getInsights(['impressions']));
    return result;
  },
  async batch() {
    const results = [];
    const batch = new FacebookAdsApiBatch(api, null, null);
    for (const id of args.ids) {
      batch.add('GET', `${id}/`, {fields: 'name'}, null,
        (r) => results.push({ok: r.body}), (r) => results.push({error: describe(r.error)}));
    }
    const retry = await batch.execute();
    return {results, retry: retry !== null};
  },
  async adImages() {
    // createAdImage posts only its params (createEdge passes no files), so the image goes as base64
    // `bytes`; the answer keeps Graph's {"images": {...}} shape in _data.
    const account = new AdAccount(args.account);
    const made = await account.createAdImage([], {bytes: args.bytes, name: args.name});
    const listed = await account.getAdImages(['hash', 'name', 'width', 'height', 'url'], {hashes: [args.hash]});
    return {created: made._data.images, listed: data(listed)};
  },
  async systemUserToken() {
    // The SDK posts a JSON body: scope and asset go as JSON arrays, fetch_only as a JSON boolean.
    const business = new Business(args.business);
    const made = await business.createSystemUserAccessToken([], args.params);
    const fetched = await business.createSystemUserAccessToken([], {...args.params, fetch_only: true});
    return {made: made._data.access_token, fetched: fetched._data.access_token};
  },
  async appId() {
    return (await api.getAppID()).data;
  },
};

function describe(error) {
  const body = (error.response && error.response.error) || error.response || {};  // a batch item's is the envelope
  return {
    name: error.name, status: error.status, code: body.code, subcode: body.error_subcode, type: body.type,
    message: body.message || error.message, transient: body.is_transient,
    headers: error.headers ? Object.fromEntries(Object.entries(error.headers)) : null,
  };
}

steps[step]().then(
  (ok) => process.stdout.write(JSON.stringify({ok}) + '\n'),
  (error) => process.stdout.write(JSON.stringify({error: describe(error)}) + '\n'),
);
