/**
 * How a frontend uses the generated documents: one typed `execute` over fetch, and every
 * mutation result narrowed by `__typename`, so the compiler knows which fields each member has
 * and fails the build when the schema adds a member this code does not handle.
 */
import {
  ChatViewDocument,
  CreateSessionDocument,
  DeleteSessionDocument,
  MarkSessionReadDocument,
  RenameSessionDocument,
  SessionListDocument,
  ViewerDocument,
  type ChatViewQuery,
  type ChatViewQueryVariables,
  type SessionListItemFragment,
  type SessionListQuery,
  type SessionListQueryVariables,
  type TypedDocumentString,
} from "./gql/graphql";

type GraphQLError = { message: string; extensions?: { code?: string } };

export class GraphQLRequestError extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super(errors.map((error) => error.message).join("; "));
  }
}

/** A connection to the API as one user; `execute` types variables and result by document. */
export class Api {
  constructor(
    readonly endpoint: string,
    readonly token: string,
  ) {}

  async execute<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    variables: NoInfer<TVariables>,
  ): Promise<TResult> {
    const response = await fetch(this.endpoint, {
      method: "POST",
      headers: {
        Accept: "application/graphql-response+json",
        "Content-Type": "application/json",
        Authorization: `Bearer ${this.token}`,
      },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
    const body = (await response.json()) as { data?: TResult | null; errors?: GraphQLError[] };
    if (body.errors?.length || body.data == null) {
      throw new GraphQLRequestError(body.errors ?? [{ message: `HTTP ${response.status}` }]);
    }
    return body.data;
  }
}

function unreachable(member: never): never {
  throw new Error(`Unhandled result member: ${JSON.stringify(member)}`);
}

/** Every page of the viewer's own sessions of an agent, following endCursor. */
export async function mySessions(
  api: Api,
  agentId: string,
  pageSize: number,
): Promise<SessionListItemFragment[]> {
  const sessions: SessionListItemFragment[] = [];
  let after: string | null = null;
  for (;;) {
    const variables: SessionListQueryVariables = { agentId, scope: "MINE", first: pageSize, after };
    const { agent }: SessionListQuery = await api.execute(SessionListDocument, variables);
    if (agent === null) return sessions;
    sessions.push(...agent.sessions.nodes);
    if (!agent.sessions.pageInfo.hasNextPage) return sessions;
    after = agent.sessions.pageInfo.endCursor;
  }
}

/** How a session list sums up: its size, the replies not read yet and the primary session. */
export function summary(sessions: SessionListItemFragment[]): string {
  const unread = sessions.reduce((sum, session) => sum + session.unreadCount, 0);
  const primary = sessions.find((session) => session.isPrimary)?.title ?? "none";
  return `my sessions ${sessions.length}, ${unread} unread, primary ${primary}`;
}

/** Once a chat view shows the newest messages, it marks the session read (reading does not). */
async function markRead(api: Api, sessionId: string): Promise<void> {
  const { markSessionRead: marked } = await api.execute(MarkSessionReadDocument, { id: sessionId });
  switch (marked.__typename) {
    case "Session":
      return;
    case "NotFoundError":
    case "ForbiddenError":
      throw new Error(marked.message);
    default:
      return unreachable(marked);
  }
}

/** A session's messages as text lines, oldest first: the newest page (then marked read),
 * then paging back. */
export async function chatLines(
  api: Api,
  agentId: string,
  sessionId: string,
  pageSize: number,
): Promise<string[]> {
  const lines: string[] = [];
  let before: string | null = null;
  for (;;) {
    const variables: ChatViewQueryVariables = { agentId, sessionId, last: pageSize, before };
    const { agent }: ChatViewQuery = await api.execute(ChatViewDocument, variables);
    const messages = agent?.session?.messages;
    if (!messages) return lines;
    const page = messages.nodes.map((message) =>
      message.parts
        .map((part) => (part.__typename === "TextPart" ? part.text : `[${part.toolCall.name}]`))
        .join(" "),
    );
    if (before === null) await markRead(api, sessionId);
    lines.unshift(...page);
    if (!messages.pageInfo.hasPreviousPage) return lines;
    before = messages.pageInfo.startCursor;
  }
}

/** Sign in, start a session, read the lists and a chat, rename (badly, then well), delete. */
export async function main(endpoint: string, token: string, agentId: string): Promise<string[]> {
  const api = new Api(endpoint, token);
  const log: string[] = [];
  const { viewer } = await api.execute(ViewerDocument, {});
  log.push(`viewer ${viewer.displayName}`);

  const { createSession: created } = await api.execute(CreateSessionDocument, {
    agentId,
    title: "Trip plan",
  });
  let sessionId: string;
  switch (created.__typename) {
    case "Session":
      sessionId = created.id;
      log.push(`created ${created.title} with ${created.messageCount} messages`);
      break;
    case "ValidationError":
      throw new Error(`${created.field}: ${created.message}`);
    case "NotFoundError":
    case "ForbiddenError":
      throw new Error(created.message);
    default:
      return unreachable(created);
  }

  // A session is listed once it has messages, so the new one is not among these yet.
  const mine = await mySessions(api, agentId, 2);
  log.push(summary(mine));
  const latest = mine[0];
  if (latest) {
    const lines = await chatLines(api, agentId, latest.id, 2);
    log.push(`${latest.title}: ${lines.length} messages, last "${lines.at(-1)}"`);
    log.push(summary(await mySessions(api, agentId, 2)));
  }

  for (const title of ["   ", "Trip plan (final)"]) {
    const { renameSession: renamed } = await api.execute(RenameSessionDocument, {
      id: sessionId,
      title,
    });
    switch (renamed.__typename) {
      case "Session":
        log.push(`renamed to ${renamed.title}`);
        break;
      case "ValidationError":
        log.push(`rejected ${renamed.field}: ${renamed.message}`);
        break;
      case "NotFoundError":
      case "ForbiddenError":
        log.push(`not renamed: ${renamed.message}`);
        break;
      default:
        return unreachable(renamed);
    }
  }

  for (let attempt = 0; attempt < 2; attempt++) {
    const { deleteSession: deleted } = await api.execute(DeleteSessionDocument, { id: sessionId });
    switch (deleted.__typename) {
      case "DeletedSession":
        log.push(`deleted ${deleted.id === sessionId ? "the session" : deleted.id}`);
        break;
      case "NotFoundError":
      case "ForbiddenError":
        log.push(`${deleted.__typename}: ${deleted.message}`);
        break;
      default:
        return unreachable(deleted);
    }
  }
  return log;
}
