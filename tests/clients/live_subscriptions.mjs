// Subscribes to a session's new messages with a JavaScript client and prints what arrives.
//
//   node live_subscriptions.mjs CLIENT URL TOKEN SESSION_ID AFTER COUNT
//
// CLIENT: graphql-ws (the library's own client), apollo-ws (Apollo Client 4 with
// GraphQLWsLink) or apollo-http (Apollo Client 4's HttpLink: multipart subscriptions).
// Prints "subscribed" once the subscription is sent, then one JSON line of the COUNT
// messages received (content and cursor), and exits; a GraphQL error exits 1.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [kind, url, token, sessionId, after, count] = process.argv.slice(2);
const wanted = Number(count);
const QUERY = `subscription Live($sessionId: ID!, $after: String) {
  messageAdded(sessionId: $sessionId, after: $after) { id content cursor }
}`;
const variables = { sessionId, after: after || null };
const wsUrl = url.replace(/^http/, "ws");
const wsClient = () =>
  createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
  });

function finish(received) {
  console.log(JSON.stringify(received.map(({ content, cursor }) => ({ content, cursor }))));
  process.exit(0);
}

function fail(error) {
  console.error(JSON.stringify(error));
  process.exit(1);
}

setTimeout(() => fail("timed out"), 30_000);
const received = [];

if (kind === "graphql-ws") {
  const client = wsClient();
  const events = client.iterate({ query: QUERY, variables });
  console.log("subscribed");
  for await (const result of events) {
    if (result.errors) fail(result.errors);
    received.push(result.data.messageAdded);
    if (received.length === wanted) break;
  }
  await client.dispose();
  finish(received);
} else {
  const link =
    kind === "apollo-ws"
      ? new GraphQLWsLink(wsClient())
      : new HttpLink({ uri: url, headers: { Authorization: `Bearer ${token}` } });
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  client.subscribe({ query: gql(QUERY), variables }).subscribe({
    next(result) {
      if (result.error) fail(result.error);
      received.push(result.data.messageAdded);
      if (received.length === wanted) finish(received);
    },
    error: fail,
  });
  console.log("subscribed");
}
