// What the mock model servers share (test/helpers/mock-{anthropic,openai,gemini}.ts): an HTTP server on
// 127.0.0.1 that plays one scripted turn. Asked with a shell tool and no tool result yet, it calls that
// tool once with `command`; once the agent sends the tool's result back, it answers with plain text that
// quotes the result, and records it. No network, no credentials: each agent CLI is pointed here.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface MockModel {
  url: string;
  /** The shell line the next tool call asks for. */
  command: string;
  /** Every request body, in order (for a failing test's message). */
  requests: { path: string; body: unknown }[];
  /** Extra arguments for the first tool call (mock-openai.ts: `tty` for Codex's exec_command). */
  extraArgs?: Record<string, unknown>;
  /** A second call, made from the first call's result (mock-openai.ts: Codex's write_stdin); none by default. */
  followUp?: (result: string) => { tool: string; args: Record<string, unknown> } | undefined;
  /** The text of each tool result the agent sent back, in order. */
  toolResults: string[];
  /** How many tool calls were asked for. */
  toolCalls: number;
  close(): Promise<void>;
}

export type Handler = (request: { path: string; body: any }, model: MockModel, response: ServerResponse) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function startMockModel(handle: Handler): Promise<MockModel> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = {};
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        body = { raw: text };
      }
      const path = req.url ?? '/';
      model.requests.push({ path, body });
      try {
        handle({ path, body }, model, res);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const model: MockModel = {
    url: `http://127.0.0.1:${port}`,
    command: 'true',
    requests: [],
    toolResults: [],
    toolCalls: 0,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return model;
}

/** The first tool that runs shell lines, by the names the agents give it. */
export function shellTool(names: string[]): string | undefined {
  return names.find((name) => /^(bash|shell|shell_command|exec_command|run_shell_command|local_shell)$/i.test(name));
}

/** Server-sent events, one `event:`/`data:` pair each (an undefined event name writes data only). */
export function sse(res: ServerResponse, events: [event: string | undefined, data: unknown][]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'close' });
  for (const [event, data] of events) res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  res.end();
}

export function json(res: ServerResponse, value: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

/** Text out of the many shapes a tool result takes (a string, a list of text parts, an object). */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join('\n');
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.text === 'string') return v.text;
    if ('output' in v) return textOf(v.output);
    if ('content' in v) return textOf(v.content);
    return JSON.stringify(value);
  }
  return String(value ?? '');
}
