// Anthropic's Messages API, as far as Claude Code and Copilot CLI (with COPILOT_PROVIDER_TYPE=anthropic)
// use it: POST /v1/messages, streamed or not, and count_tokens. See mock-model.ts for the script.

import type { ServerResponse } from 'node:http';
import { json, shellTool, sse, startMockModel, textOf, type MockModel } from './mock-model.js';

export function startAnthropicMock(): Promise<MockModel> {
  return startMockModel(({ path, body }, model, res) => {
    if (path.includes('count_tokens')) return json(res, { input_tokens: 10 });
    if (!path.includes('/messages')) return json(res, { data: [] });
    const messages: any[] = Array.isArray(body.messages) ? body.messages : []; // eslint-disable-line @typescript-eslint/no-explicit-any
    const tool = shellTool((body.tools ?? []).map((t: { name?: string }) => t.name ?? ''));
    const last = messages[messages.length - 1];
    const results = Array.isArray(last?.content) ? last.content.filter((part: { type?: string }) => part?.type === 'tool_result') : [];
    if (results.length) {
      const text = results.map((r: { content?: unknown }) => textOf(r.content)).join('\n');
      model.toolResults.push(text);
      return reply(res, body.stream, [{ type: 'text', text: `The tool said: ${text.slice(0, 2000)}` }], 'end_turn');
    }
    if (!tool) return reply(res, body.stream, [{ type: 'text', text: 'ok' }], 'end_turn');
    model.toolCalls += 1;
    const input = { command: model.command, description: 'Run the command the test asked for' };
    return reply(res, body.stream, [{ type: 'tool_use', id: `toolu_${model.toolCalls}`, name: tool, input }], 'tool_use');
  });
}

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown };

function reply(res: ServerResponse, stream: boolean, content: Block[], stopReason: string): void {
  const usage = { input_tokens: 10, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const message = { id: `msg_${Date.now()}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', stop_sequence: null, usage };
  if (!stream) return json(res, { ...message, content, stop_reason: stopReason });
  const events: [string, unknown][] = [['message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null } }]];
  content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
      events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } }]);
    } else {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { ...block, input: {} } }]);
      events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } }]);
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
  });
  events.push(['message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 10 } }]);
  events.push(['message_stop', { type: 'message_stop' }]);
  sse(res, events);
}
