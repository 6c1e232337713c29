'use strict';
// The echo-endpoint example: two HTTP routes served at /e/<hook_id>/… once a workspace sets the
// endpoint up. Try it: keel-plugin run examples/plugins/echo-endpoint
//   {"endpoint": "/echo/ada", "method": "POST", "body": "{\"n\": 1}", "headers": {"content-type": "application/json"}}
const { definePlugin, defineEndpoint } = require('@keel/plugin-sdk');

const echo = defineEndpoint({
  method: 'POST',
  path: '/echo/<name>',
  handler(request) {
    const type = request.headers['content-type'] || '';
    return {
      status: 200,
      headers: { 'x-echo': 'keel' },
      body: {
        greeting: `${request.settings.greeting || 'Hello'}, ${request.params.name}!`,
        query: Object.fromEntries(request.query),
        content_type: type,
        body: type.startsWith('application/json') ? request.json() : request.text(),
      },
    };
  },
});

const ping = defineEndpoint({ method: 'GET', path: '/ping', handler: () => 'pong' });

const plugin = definePlugin({ endpoints: [echo, ping] });
module.exports = plugin;
if (require.main === module) plugin.start();
