// Uploads a file with tus-js-client, breaking the first attempt off in the middle of a PATCH and
// resuming it with a new Upload on the same URL. Prints one JSON line with what happened.
// Usage: node tus-upload.js <endpoint> <token> <file> <name>
'use strict';
const fs = require('fs');
const tus = require('tus-js-client');

const [endpoint, token, file, name] = process.argv.slice(2);
const data = fs.readFileSync(file);
const headers = { Authorization: 'Bearer ' + token };
const common = {
  headers,
  chunkSize: 100 * 1024 * 1024,
  retryDelays: [0, 200, 500],
  metadata: { filename: name },
};

function fail(e) {
  console.log(JSON.stringify({ error: String(e) }));
  process.exit(1);
}

const first = new tus.Upload(data, {
  ...common,
  endpoint,
  onError: fail,
  onProgress(sent, total) {
    if (sent > total * 0.4 && !first.stopped) {
      first.stopped = true;
      first.abort(false).then(resume, fail);
    }
  },
  onSuccess() {
    fail('the first attempt was not broken off');
  },
});
first.start();

async function resume() {
  const url = first.url;
  // the server records the bytes of a broken PATCH once it notices the connection is gone
  let offsetAfterBreak = 0;
  for (let i = 0; i < 100 && offsetAfterBreak === 0; i++) {
    const head = await fetch(new URL(url, endpoint), {
      method: 'HEAD',
      headers: { ...headers, 'Tus-Resumable': '1.0.0' },
    });
    offsetAfterBreak = Number(head.headers.get('Upload-Offset'));
    if (offsetAfterBreak === 0) await new Promise((r) => setTimeout(r, 100));
  }
  let firstProgress = null;
  const second = new tus.Upload(data, {
    ...common,
    uploadUrl: url,
    onError: fail,
    onProgress(sent) {
      if (firstProgress === null) firstProgress = sent;
    },
    onSuccess() {
      console.log(JSON.stringify({ url, offsetAfterBreak, firstProgress, size: data.length }));
    },
  });
  second.start();
}
