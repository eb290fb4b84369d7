// Run the graphql-http server audits against a live GraphQL endpoint; print the results as JSON.
//   node tests/web/audit.mjs http://127.0.0.1:8000/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node tests/web/audit.mjs URL');
  process.exit(2);
}

const results = await auditServer({ url });
const report = results.map(({ id, name, status, reason, response }) => ({
  id,
  name,
  status,
  ...(status === 'ok'
    ? {}
    : {
        reason,
        httpStatus: response.status,
        contentType: response.headers.get('content-type'),
      }),
}));
console.log(JSON.stringify(report, null, 2));
