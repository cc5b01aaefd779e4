/**
 * A small typed client for the Todo API, built only from the types that openapi-typescript
 * generates from the server's OpenAPI schema (src/schema.d.ts). `npm run check` regenerates
 * those types and type-checks this file: if the schema stops describing an operation, a body,
 * a parameter or the envelope correctly, this stops compiling.
 */
import type { components, operations, paths } from "./schema";

type Schemas = components["schemas"];
export type Task = Schemas["Task"];
export type User = Schemas["User"];
export type TokenBundle = Schemas["TokenBundle"];
export type ErrorResponse = Schemas["ErrorResponse"];
export type ErrorCode = Schemas["ErrorCode"];
export type TagCount = Schemas["TagCount"];
export type Priority = Task["priority"];
/** The list's query parameters (filters, search, ordering, page). */
export type TaskQuery = NonNullable<operations["tasks_list"]["parameters"]["query"]>;
export type AuthReason = Schemas["AuthReason"];

export type OperationId = keyof operations;
type Op<K extends OperationId> = operations[K];
type Method = "get" | "post" | "put" | "patch" | "delete";

/** The success body of an operation: the envelope (`undefined` for a 204). */
type SuccessStatus<K extends OperationId> = Extract<keyof Op<K>["responses"], 200 | 201 | 204>;
export type Success<K extends OperationId> =
  Op<K>["responses"][SuccessStatus<K>] extends { content: { "application/json": infer B } }
    ? B
    : undefined;

type PathArg<K extends OperationId> = Op<K>["parameters"] extends { path: infer P }
  ? { path: P }
  : { path?: undefined };
type QueryArg<K extends OperationId> = Op<K>["parameters"] extends { query?: infer Q }
  ? [Q] extends [never | undefined]
    ? { query?: undefined }
    : { query?: Q }
  : { query?: undefined };
type BodyArg<K extends OperationId> = Op<K> extends {
  requestBody: { content: { "application/json": infer B } };
}
  ? { body: B }
  : Op<K> extends { requestBody?: { content: { "application/json": infer B } } }
    ? [B] extends [never]
      ? { body?: undefined }
      : { body?: B }
    : { body?: undefined };
export type Args<K extends OperationId> = PathArg<K> & QueryArg<K> & BodyArg<K>;

/** `[method, path]` of each operation, checked against the schema's own `paths`. */
type RouteOf<K extends OperationId> = {
  [P in keyof paths]: {
    [M in Method]: [paths[P][M]] extends [never]
      ? never
      : paths[P][M] extends Op<K>
        ? Op<K> extends paths[P][M]
          ? readonly [M, P]
          : never
        : never;
  }[Method];
}[keyof paths];

const routes = {
  health: ["get", "/api/health"],
  health_ready: ["get", "/api/health/ready"],
  auth_signup: ["post", "/api/auth/signup"],
  auth_signin: ["post", "/api/auth/signin"],
  auth_refresh: ["post", "/api/auth/refresh"],
  auth_signout: ["post", "/api/auth/signout"],
  auth_me: ["get", "/api/auth/me"],
  tasks_list: ["get", "/api/tasks"],
  tasks_create: ["post", "/api/tasks"],
  tasks_retrieve: ["get", "/api/tasks/{task_id}"],
  tasks_update: ["put", "/api/tasks/{task_id}"],
  tasks_partial_update: ["patch", "/api/tasks/{task_id}"],
  tasks_complete: ["patch", "/api/tasks/{task_id}/complete"],
  tasks_destroy: ["delete", "/api/tasks/{task_id}"],
  user_tasks_list: ["get", "/api/{user_id}/tasks"],
  user_tasks_create: ["post", "/api/{user_id}/tasks"],
  user_tasks_retrieve: ["get", "/api/{user_id}/tasks/{task_id}"],
  user_tasks_update: ["put", "/api/{user_id}/tasks/{task_id}"],
  user_tasks_partial_update: ["patch", "/api/{user_id}/tasks/{task_id}"],
  user_tasks_complete: ["patch", "/api/{user_id}/tasks/{task_id}/complete"],
  user_tasks_destroy: ["delete", "/api/{user_id}/tasks/{task_id}"],
  tasks_restore: ["post", "/api/tasks/{task_id}/restore"],
  tasks_bulk: ["post", "/api/tasks/bulk"],
  tasks_changes: ["get", "/api/tasks/changes"],
  tasks_trash_list: ["get", "/api/tasks/trash"],
  tasks_trash_empty: ["delete", "/api/tasks/trash"],
  tasks_trash_purge: ["delete", "/api/tasks/trash/{task_id}"],
  user_tasks_restore: ["post", "/api/{user_id}/tasks/{task_id}/restore"],
  user_tasks_bulk: ["post", "/api/{user_id}/tasks/bulk"],
  user_tasks_changes: ["get", "/api/{user_id}/tasks/changes"],
  user_tasks_trash_list: ["get", "/api/{user_id}/tasks/trash"],
  user_tasks_trash_empty: ["delete", "/api/{user_id}/tasks/trash"],
  user_tasks_trash_purge: ["delete", "/api/{user_id}/tasks/trash/{task_id}"],
  tags_list: ["get", "/api/tags"],
  user_tags_list: ["get", "/api/{user_id}/tags"],
  chat_create: ["post", "/api/chat"],
  user_chat_create: ["post", "/api/{user_id}/chat"],
  chat_conversations_list: ["get", "/api/chat/conversations"],
  chat_conversation_messages: ["get", "/api/chat/conversations/{id}/messages"],
} as const satisfies { [K in OperationId]: RouteOf<K> };

/** Array parameters the schema marks `explode: true` (`tag=a&tag=b`); others are comma lists. */
const EXPLODED = new Set(["tag"]);

/** A 4xx/5xx answer: the error envelope's `error`, with its contract code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: Schemas["Error"] | Schemas["AuthError"],
  ) {
    super(`${status} ${error.code}: ${error.message}`);
  }

  /** Why a 401 refused the request (`expired`: get a new token; others: a bug or sign in). */
  get reason(): AuthReason | undefined {
    return this.status === 401 ? (this.error as Schemas["AuthError"]).details.reason : undefined;
  }
}

export class TodoClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  withToken(token: string): TodoClient {
    return new TodoClient(this.baseUrl, token);
  }

  async call<K extends OperationId>(
    operation: K,
    ...[args]: {} extends Args<K> ? [args?: Args<K>] : [args: Args<K>]
  ): Promise<Success<K>> {
    const [method, template] = routes[operation];
    const { path, query, body } = (args ?? {}) as {
      path?: Record<string, string | number>;
      query?: Record<string, string | number | boolean | string[] | undefined>;
      body?: unknown;
    };
    const url = new URL(
      template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(path?.[name]))),
      this.baseUrl,
    );
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value) && EXPLODED.has(name)) {
        for (const item of value) url.searchParams.append(name, item);
      } else {
        url.searchParams.set(name, Array.isArray(value) ? value.join(",") : String(value));
      }
    }
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method: method.toUpperCase(),
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return undefined as Success<K>;
    const json = (await response.json()) as Success<K> | ErrorResponse;
    if (!response.ok) throw new ApiError(response.status, (json as ErrorResponse).error);
    return json as Success<K>;
  }
}

/** Every operation once, in an order that works against a fresh server; reads each envelope. */
export async function tour(baseUrl: string, email: string, password: string) {
  const anon = new TodoClient(baseUrl);
  const health = await anon.call("health");
  const health_ready = await anon.call("health_ready");
  const auth_signup = await anon.call("auth_signup", { body: { email, password, name: "Ada" } });
  const auth_signin = await anon.call("auth_signin", { body: { email, password } });
  const api = anon.withToken(auth_signin.data.access_token);
  const auth_me = await api.call("auth_me");
  const me: User = auth_me.data;

  const tasks_create = await api.call("tasks_create", {
    body: {
      title: "Weekly review",
      description: null,
      priority: "high",
      tags: ["work", "planning"],
      due_at: "2030-12-06T16:00:00Z",
      remind_at: "2030-12-06T15:30:00+00:00",
      recurrence: "FREQ=WEEKLY;BYDAY=FR",
    },
  });
  const task: Task = tasks_create.data;
  const priority: Priority = task.priority;
  const tags: string[] = task.tags;
  const due: string | null = task.due_at;
  const completedAt: string | null | undefined = task.completed_at;
  const next: number | null | undefined = task.next_occurrence_id;
  const id = { task_id: task.id };
  const filters: TaskQuery = {
    completed: false,
    priority: ["high", "medium"],
    tag: ["work", "planning"],
    due_after: "2030-01-01T00:00:00Z",
    due_before: "2031-01-01T00:00:00Z",
    overdue: false,
    has_due: true,
    search: "review",
    ordering: "-priority,due_at,title",
    limit: 10,
    offset: 0,
  };
  const tasks_list = await api.call("tasks_list", { query: filters });
  const total: number = tasks_list.meta.count;
  const nextPage: string | null = tasks_list.meta.next;
  const titles: string[] = tasks_list.data.map((t) => t.title);
  const tasks_retrieve = await api.call("tasks_retrieve", { path: id });
  const tasks_update = await api.call("tasks_update", {
    path: id,
    body: { title: "Buy oat milk" },
  });
  const tasks_partial_update = await api.call("tasks_partial_update", {
    path: id,
    body: { description: "2 litres" },
  });
  const tasks_complete = await api.call("tasks_complete", { path: id }); // toggles
  const done: boolean = tasks_complete.data.completed;
  const spawned: number | null | undefined = tasks_complete.data.next_occurrence_id;
  const tags_list = await api.call("tags_list");
  const tagCounts: TagCount[] = tags_list.data;

  const mine = { user_id: me.id };
  const user_tasks_create = await api.call("user_tasks_create", {
    path: mine,
    body: { title: "Call mum", completed: false },
  });
  const theirs = { ...mine, task_id: user_tasks_create.data.id };
  const user_tasks_list = await api.call("user_tasks_list", {
    path: mine,
    query: { limit: 1, tag: ["work"], overdue: true },
  });
  const user_tags_list = await api.call("user_tags_list", { path: mine });
  const user_tasks_retrieve = await api.call("user_tasks_retrieve", { path: theirs });
  const user_tasks_update = await api.call("user_tasks_update", {
    path: theirs,
    body: { title: "Call mum back", description: "after 6pm", completed: false },
  });
  const user_tasks_partial_update = await api.call("user_tasks_partial_update", {
    path: theirs,
    body: { title: "Call dad" },
  });
  const user_tasks_complete = await api.call("user_tasks_complete", {
    path: theirs,
    body: { completed: true },
  });
  const user_tasks_destroy = await api.call("user_tasks_destroy", { path: theirs });
  const user_tasks_trash_list = await api.call("user_tasks_trash_list", {
    path: mine,
    query: { limit: 10 },
  });
  const deletedAt: string | null | undefined = user_tasks_trash_list.data[0]?.deleted_at;
  const user_tasks_restore = await api.call("user_tasks_restore", { path: theirs });
  const version: number | undefined = user_tasks_restore.data.version;
  const user_tasks_bulk = await api.call("user_tasks_bulk", {
    path: mine,
    body: { action: "delete", ids: [theirs.task_id] },
  });
  const user_tasks_trash_purge = await api.call("user_tasks_trash_purge", { path: theirs });
  const user_tasks_trash_empty = await api.call("user_tasks_trash_empty", { path: mine });
  const user_tasks_changes = await api.call("user_tasks_changes", { path: mine });
  const cursor: string = user_tasks_changes.meta.cursor;
  const tasks_changes = await api.call("tasks_changes", { query: { cursor, limit: 100 } });
  const hasMore: boolean = tasks_changes.meta.has_more;

  // The assistant (needs OPENAI_API_KEY on the server; without it these are 503s).
  const chat_create = await api.call("chat_create", { body: { message: "Add buy bread" } });
  const conversation_id: number = chat_create.data.conversation_id;
  const toolNames: string[] = chat_create.data.tool_calls.map((call) => call.name);
  const user_chat_create = await api.call("user_chat_create", {
    path: mine,
    body: { conversation_id, message: "Thanks" },
  });
  const chat_conversations_list = await api.call("chat_conversations_list", {
    query: { limit: 10 },
  });
  const chat_conversation_messages = await api.call("chat_conversation_messages", {
    path: { id: conversation_id },
  });
  const said: string[] = chat_conversation_messages.data.map((m) => `${m.role}: ${m.content}`);
  const tasks_destroy = await api.call("tasks_destroy", { path: id });
  const tasks_trash_list = await api.call("tasks_trash_list");
  const tasks_restore = await api.call("tasks_restore", { path: id });
  const tasks_bulk = await api.call("tasks_bulk", {
    body: { action: "delete", filter: { completed: true } },
  });
  const succeeded: number[] = tasks_bulk.data.succeeded;
  const tasks_trash_purge = await api.call("tasks_trash_purge", { path: id });
  const tasks_trash_empty = await api.call("tasks_trash_empty");
  const purged: number = tasks_trash_empty.data.purged;

  let unauthenticated: AuthReason | undefined;
  try {
    await anon.call("auth_me");
  } catch (error) {
    if (error instanceof ApiError) unauthenticated = error.reason; // "missing_token"
  }

  let notFound: ErrorCode | undefined;
  try {
    await api.call("tasks_retrieve", { path: id });
  } catch (error) {
    if (error instanceof ApiError) notFound = error.error.code; // "RESOURCE_NOT_FOUND"
  }

  const auth_refresh = await anon.call("auth_refresh", {
    body: { refresh_token: auth_signin.data.refresh_token },
  });
  const bundle: TokenBundle = auth_refresh.data;
  const auth_signout = await anon.call("auth_signout", {
    body: { refresh_token: bundle.refresh_token },
  });

  // One result per operation: a missing or extra operation is a compile error.
  const results: { [K in OperationId]: Success<K> } = {
    health,
    health_ready,
    auth_signup,
    auth_signin,
    auth_refresh,
    auth_signout,
    auth_me,
    tasks_list,
    tasks_create,
    tasks_retrieve,
    tasks_update,
    tasks_partial_update,
    tasks_complete,
    tasks_destroy,
    user_tasks_list,
    user_tasks_create,
    user_tasks_retrieve,
    user_tasks_update,
    user_tasks_partial_update,
    user_tasks_complete,
    user_tasks_destroy,
    tags_list,
    user_tags_list,
    tasks_restore,
    tasks_bulk,
    tasks_changes,
    tasks_trash_list,
    tasks_trash_empty,
    tasks_trash_purge,
    user_tasks_restore,
    user_tasks_bulk,
    user_tasks_changes,
    user_tasks_trash_list,
    user_tasks_trash_empty,
    user_tasks_trash_purge,
    chat_create,
    user_chat_create,
    chat_conversations_list,
    chat_conversation_messages,
  };
  const synced = { deletedAt, version, cursor, hasMore, succeeded, purged };
  const messages: string[] = [health.message, tasks_create.message, user_tasks_list.message];
  const planned = { priority, tags, due, completedAt, next, spawned, tagCounts };
  const chat = { toolNames, said, reply: user_chat_create.data.response };
  return {
    results,
    total,
    nextPage,
    titles,
    done,
    planned,
    synced,
    chat,
    notFound,
    unauthenticated,
    messages,
    status: health.data.status,
  };
}

/** Calls the schema must reject: each line below has to be a type error. Never run. */
export function rejectedCalls(api: TodoClient): void {
  // @ts-expect-error: a task needs a title
  void api.call("tasks_create", { body: { description: "no title" } });
  // @ts-expect-error: `completed` is a boolean
  void api.call("tasks_partial_update", { path: { task_id: 1 }, body: { completed: "yes" } });
  // @ts-expect-error: PUT needs a title
  void api.call("tasks_update", { path: { task_id: 1 }, body: { completed: true } });
  // @ts-expect-error: the task id is a number
  void api.call("tasks_retrieve", { path: { task_id: "1" } });
  // @ts-expect-error: the user mount needs the user id
  void api.call("user_tasks_list", { query: { limit: 10 } });
  // @ts-expect-error: signin needs a password
  void api.call("auth_signin", { body: { email: "a@example.com" } });
  // @ts-expect-error: no such operation
  void api.call("tasks_archive");
  // @ts-expect-error: the list's `meta` has no `total` (it is `count`)
  void api.call("tasks_list").then((page) => page.meta.total);
  // @ts-expect-error: a bulk action is one of five
  void api.call("tasks_bulk", { body: { action: "archive", ids: [1] } });
  // @ts-expect-error: the change feed's `meta` has a cursor, not a count
  void api.call("tasks_changes").then((page) => page.meta.count);
  // @ts-expect-error: priority is low, medium or high
  void api.call("tasks_create", { body: { title: "x", priority: "urgent" } });
  // @ts-expect-error: tags are strings
  void api.call("tasks_create", { body: { title: "x", tags: [1] } });
  // @ts-expect-error: the `completed` filter is a boolean
  void api.call("tasks_list", { query: { completed: "yes" } });
  // @ts-expect-error: the `priority` filter takes priorities
  void api.call("tasks_list", { query: { priority: ["urgent"] } });
  // @ts-expect-error: `tag` is a list of tags
  void api.call("tasks_list", { query: { tag: 3 } });
  // @ts-expect-error: a tag count has no `total`
  void api.call("tags_list").then((r) => r.data[0].total);
  // @ts-expect-error: a 401's reason is one of the vocabulary's words
  void api.call("auth_me").catch((e: ApiError) => e.reason === "token_expired");
  // @ts-expect-error: a task's `id` is read-only
  void api.call("tasks_retrieve", { path: { task_id: 1 } }).then((r) => (r.data.id = 2));
}

/** Idempotency-Key (a request header) on the operations that keep their response for retries. */
export type IdempotencyHeaders = NonNullable<operations["tasks_create"]["parameters"]["header"]>;
export const retrySafely: IdempotencyHeaders = { "Idempotency-Key": "create-7f3a9c" };
export const completeRetrySafely: NonNullable<
  operations["tasks_complete"]["parameters"]["header"]
> = { "Idempotency-Key": "toggle-1b2c" };
export const reusedKey: ErrorCode = "IDEMPOTENCY_KEY_REUSED";
type Replayed = operations["tasks_create"]["responses"][201]["headers"]["Idempotent-Replayed"];
export const replayed: Replayed = "true";

/** What the schema must refuse about Idempotency-Key: each line has to be a type error. */
export function rejectedIdempotency(): void {
  type ListHeaders = NonNullable<operations["tasks_list"]["parameters"]["header"]>;
  // @ts-expect-error: the list keeps nothing, so it takes no Idempotency-Key
  const list: ListHeaders = { "Idempotency-Key": "x" };
  // @ts-expect-error: Idempotent-Replayed is only ever "true"
  const notReplayed: Replayed = "false";
  void [list, notReplayed];
}
