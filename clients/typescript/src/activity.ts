/**
 * A chat page while the agent works: ChatView's activeRun gives the Stop button, ChatActivity
 * streams what the agent thinks, writes and calls (graphql-ws over the same token), and
 * CancelRun is what Stop does. `ChatActivityView` is the page's state, rendered as text lines.
 */
import { createClient } from "graphql-ws";
import WebSocket from "ws";

import type { Api } from "./example";
import {
  CancelRunDocument,
  ChatActivityDocument,
  ChatViewDocument,
  type ActiveRunFragment,
  type ChatActivitySubscription,
} from "./gql/graphql";

export type ActivityEvent = ChatActivitySubscription["runEvents"];

/** What a chat page shows of the agent at work, from the events as they arrive. */
export class ChatActivityView {
  thinking = "";
  reply = "";
  readonly tools = new Map<string, string>();
  status = "idle";
  /** The cursor to resume from after a reconnect: the last event's. */
  cursor: string | null = null;

  constructor(public activeRun: ActiveRunFragment | null) {}

  apply(event: ActivityEvent): void {
    this.cursor = event.cursor;
    switch (event.__typename) {
      case "RunThinking":
        this.thinking = event.content;
        return;
      case "RunProgress": // each a stripped piece of the reply, in order
        this.reply = this.reply ? `${this.reply} ${event.content}` : event.content;
        return;
      case "RunToolCall":
        this.tools.set(event.callId, `${event.name} ${event.status.toLowerCase()}`);
        return;
      case "RunLifecycle":
        this.status = event.runStatus.toLowerCase();
        return;
      case "RunDelivery":
        if (event.message) this.reply = event.message.parts.map(textOf).join(" ");
        return;
      default:
        return unreachable(event);
    }
  }

  /** The page as lines; the Stop button is enabled exactly when the run may be cancelled. */
  render(): string[] {
    const lines = [`status ${this.status}`];
    if (this.thinking) lines.push(`thinking: ${this.thinking}`);
    for (const tool of this.tools.values()) lines.push(`tool ${tool}`);
    if (this.reply) lines.push(`reply: ${this.reply}`);
    if (this.activeRun) lines.push(this.activeRun.canCancel ? "[Stop]" : "[Stop] (disabled)");
    return lines;
  }
}

function textOf(part: { __typename: "TextPart"; text: string } | { __typename: "ToolCallPart" }) {
  return part.__typename === "TextPart" ? part.text : "";
}

function unreachable(member: never): never {
  throw new Error(`Unhandled member: ${JSON.stringify(member)}`);
}

/** The Stop button: cancel the active run; the button follows what the server answers. */
export async function stop(api: Api, view: ChatActivityView): Promise<string> {
  const run = view.activeRun;
  if (!run?.canCancel) return "nothing to stop";
  const { cancelRun: result } = await api.execute(CancelRunDocument, { runId: run.id });
  switch (result.__typename) {
    case "Run":
      view.activeRun = result;
      return "stop requested";
    case "ValidationError":
    case "NotFoundError":
    case "ForbiddenError":
      return `not stopped: ${result.message}`;
    default:
      return unreachable(result);
  }
}

/** `count` events of the session's runs from `after`, applied to the view as they arrive. */
export function follow(
  wsUrl: string,
  token: string,
  sessionId: string,
  after: string | null,
  count: number,
  view: ChatActivityView,
): Promise<void> {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
  });
  return new Promise((resolve, reject) => {
    let seen = 0;
    const done = (error?: unknown) => {
      unsubscribe();
      void client.dispose();
      if (error) reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
      else resolve();
    };
    const unsubscribe = client.subscribe<ChatActivitySubscription>(
      { query: ChatActivityDocument.toString(), variables: { sessionId, after } },
      {
        next: ({ data, errors }) => {
          if (errors?.length || !data) return done(errors);
          view.apply(data.runEvents);
          if (++seen === count) done();
        },
        error: done,
        complete: () => done(),
      },
    );
  });
}

/** Open a chat: its active run, `count` events from `after`, then press Stop twice. */
export async function watchChat(
  api: Api,
  wsUrl: string,
  agentId: string,
  sessionId: string,
  after: string | null,
  count: number,
): Promise<string[]> {
  const { agent } = await api.execute(ChatViewDocument, {
    agentId,
    sessionId,
    last: 1,
    before: null,
  });
  const view = new ChatActivityView(agent?.session?.activeRun ?? null);
  await follow(wsUrl, api.token, sessionId, after, count, view);
  const log = view.render();
  log.push(await stop(api, view), view.render().at(-1) ?? "", await stop(api, view));
  return log;
}
