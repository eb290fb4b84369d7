// Apollo Client 4 with InMemoryCache against a live server, set up as the README's "Using
// Apollo Client" says: possibleTypes from GraphQL Code Generator, a typePolicies merge for
// the `nodes` connections, a normalized cache, eviction on delete, PersistedQueryLink.
// Prints one JSON object; tests/clients/test_apollo_client.py checks it.
//
//   node apollo_client.mjs URL TOKEN AGENT_ID CHAT_SESSION_ID MODE
//
// MODE apq: automatic persisted queries (hash = SHA-256 of the printed document).
// MODE trusted: the server runs only persisted-documents.json; the link sends its hashes.
// The operations are the committed trusted documents (clients/typescript/src/gql).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { print } from "@apollo/client/utilities";

const [url, token, agentId, chatId, mode] = process.argv.slice(2);
const generated = new URL("../../clients/typescript/src/gql/", import.meta.url);
const read = (name) => JSON.parse(readFileSync(new URL(name, generated), "utf8"));
const { possibleTypes } = read("possible-types.json");

// Each operation of the manifest, as a document, and its trusted hash.
const documents = {};
const hashes = {};
for (const [key, text] of Object.entries(read("persisted-documents.json"))) {
  const name = text.match(/(?:query|mutation|subscription) (\w+)/)[1];
  documents[name] = gql(text);
  hashes[name] = key.replace(/^sha256:/, "");
}
const operationName = (document) =>
  document.definitions.find((d) => d.kind === "OperationDefinition").name.value;

// The `nodes` connections: the first page (no cursor) replaces, `after` appends, `before`
// prepends; nodes already there are not repeated; pageInfo keeps the far ends.
function nodesPagination(keyArgs) {
  return {
    keyArgs,
    merge(existing, incoming, { args }) {
      if (!existing || (args?.after == null && args?.before == null)) return incoming;
      const known = new Set(existing.nodes.map((node) => node.__ref));
      const fresh = incoming.nodes.filter((node) => !known.has(node.__ref));
      const older = args.before != null;
      return {
        ...incoming,
        nodes: older ? [...fresh, ...existing.nodes] : [...existing.nodes, ...fresh],
        pageInfo: older
          ? { ...existing.pageInfo, ...pick(incoming.pageInfo, "hasPreviousPage", "startCursor") }
          : { ...existing.pageInfo, ...pick(incoming.pageInfo, "hasNextPage", "endCursor") },
      };
    },
  };
}
const pick = (object, ...names) =>
  Object.fromEntries(names.filter((name) => name in object).map((name) => [name, object[name]]));

const typePolicies = {
  Agent: { fields: { sessions: nodesPagination(["scope"]) } },
  Session: { fields: { messages: nodesPagination(false) } },
};

// Every request the links send, as the server saw it.
const requests = [];
async function loggingFetch(input, init = {}) {
  const method = init.method ?? "GET";
  const target = new URL(String(input));
  const body = init.body ? JSON.parse(init.body) : Object.fromEntries(target.searchParams);
  const extensions =
    typeof body.extensions === "string" ? JSON.parse(body.extensions) : body.extensions;
  const response = await fetch(input, init);
  const answer = await response.clone().json();
  requests.push({
    method,
    operation: body.operationName,
    hash: Boolean(extensions?.persistedQuery),
    document: typeof body.query === "string",
    status: response.status,
    codes: (answer.errors ?? []).map((error) => error.extensions?.code),
  });
  return response;
}

function client({ withPossibleTypes = true } = {}) {
  const http = new HttpLink({
    uri: url,
    headers: { Authorization: `Bearer ${token}` },
    fetch: loggingFetch,
  });
  const sha256 = (text) => createHash("sha256").update(text).digest("hex");
  const persisted = new PersistedQueryLink({
    // Trusted: the manifest's hash (another document's own hash will be refused).
    ...(mode === "trusted"
      ? { generateHash: (doc) => hashes[operationName(doc)] ?? sha256(print(doc)) }
      : { sha256 }),
    useGETForHashedQueries: true,
  });
  return new ApolloClient({
    link: persisted.concat(http),
    cache: new InMemoryCache({
      possibleTypes: withPossibleTypes ? possibleTypes : {},
      typePolicies,
    }),
  });
}

// The next emission of a watched query that satisfies `test`.
function watch(observable) {
  let latest;
  const waiting = [];
  observable.subscribe({
    next(result) {
      latest = result;
      for (const wait of [...waiting]) {
        if (wait.test(result)) {
          waiting.splice(waiting.indexOf(wait), 1);
          wait.resolve(result);
        }
      }
    },
  });
  return {
    latest: () => latest,
    until: (test) =>
      latest && test(latest)
        ? Promise.resolve(latest)
        : new Promise((resolve, reject) => {
            waiting.push({ test, resolve });
            setTimeout(() => reject(new Error("timed out waiting for the watched query")), 10_000);
          }),
  };
}

const log = {};
setTimeout(() => {
  console.error(JSON.stringify({ timedOut: log, requests }));
  process.exit(1);
}, 30_000).unref();
const apollo = client();
log.viewer = (await apollo.query({ query: documents.Viewer })).data.viewer.displayName;

// The session list, paged with fetchMore, two at a time.
const list = apollo.watchQuery({
  query: documents.SessionList,
  variables: { agentId, scope: "MINE", first: 2 },
});
const sessions = watch(list);
let page = (await sessions.until((r) => r.data?.agent)).data.agent.sessions;
log.sessionPages = [page.nodes.length];
while (page.pageInfo.hasNextPage) {
  const more = await list.fetchMore({ variables: { after: page.pageInfo.endCursor } });
  const count = page.nodes.length + more.data.agent.sessions.nodes.length;
  log.sessionPages.push(more.data.agent.sessions.nodes.length);
  page = (await sessions.until((r) => r.data.agent.sessions.nodes.length === count)).data.agent
    .sessions;
}
log.listed = page.nodes.map((node) => node.title);
log.listEnd = page.pageInfo;

// The chat view, paged back with `before`, two at a time.
const chat = apollo.watchQuery({
  query: documents.ChatView,
  variables: { agentId, sessionId: chatId, last: 2 },
});
const messages = watch(chat);
let history = (await messages.until((r) => r.data?.agent)).data.agent.session.messages;
log.chatPages = [history.nodes.length];
while (history.pageInfo.hasPreviousPage) {
  const more = await chat.fetchMore({ variables: { before: history.pageInfo.startCursor } });
  const count = history.nodes.length + more.data.agent.session.messages.nodes.length;
  history = (await messages.until((r) => r.data.agent.session.messages.nodes.length === count))
    .data.agent.session.messages;
  log.chatPages.push(history.nodes.length);
}
log.chat = history.nodes.map((message) => message.parts.map((part) => part.text).join(""));

// Rename: the watched list follows, through the normalized Session, without a refetch.
const [first, second] = page.nodes;
const sent = requests.length;
const renamed = await apollo.mutate({
  mutation: documents.RenameSession,
  variables: { id: first.id, title: "Renamed by Apollo" },
});
const afterRename = await sessions.until(
  (r) => r.data.agent.sessions.nodes[0].title === "Renamed by Apollo",
);
log.rename = {
  result: renamed.data.renameSession.__typename,
  listed: afterRename.data.agent.sessions.nodes.map((node) => node.title),
  requests: [...new Set(requests.slice(sent).map((r) => r.operation))],
};

// An error member's message, read through `... on Error`: possibleTypes at work.
async function rejected(someClient) {
  const variables = { id: first.id, title: " " };
  const result = await someClient.mutate({ mutation: documents.RenameSession, variables });
  return result.data.renameSession;
}
log.validation = await rejected(apollo);
log.validationWithoutPossibleTypes = await rejected(client({ withPossibleTypes: false }));

// Delete: the mutation's update evicts the session; the watched list drops it.
const deleted = await apollo.mutate({
  mutation: documents.DeleteSession,
  variables: { id: second.id },
  update(cache, { data }) {
    if (data?.deleteSession.__typename !== "DeletedSession") return;
    cache.evict({ id: cache.identify({ __typename: "Session", id: data.deleteSession.id }) });
    cache.gc();
  },
});
const afterDelete = await sessions.until(
  (r) => !r.data.agent.sessions.nodes.some((node) => node.id === second.id),
);
log.delete = {
  result: deleted.data.deleteSession.__typename,
  listed: afterDelete.data.agent.sessions.nodes.map((node) => node.title),
  cached: `Session:${second.id}` in apollo.cache.extract(),
};

// A second client (another browser): its queries are known to the server by hash now.
const before = requests.length;
await client().query({ query: documents.Viewer });
log.secondClient = requests.slice(before);

// A document outside the manifest.
try {
  const other = await apollo.query({
    query: gql("query Other { viewer { id displayName } }"),
    fetchPolicy: "network-only",
  });
  log.other = { data: other.data };
} catch (error) {
  const errors = error.errors ?? JSON.parse(error.bodyText ?? "{}").errors ?? [];
  log.other = { error: error.name, codes: errors.map((e) => e.extensions?.code) };
}

log.requests = requests;
console.log(JSON.stringify(log));
process.exit(0); // the watched queries would keep Node running
