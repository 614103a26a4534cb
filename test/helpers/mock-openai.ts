// OpenAI's Responses API, as far as Codex uses it: POST /v1/responses, streamed as server-sent events.
// Codex names its shell tool differently across versions (`shell` with an argv, `shell_command` or
// `exec_command` with a string); the mock calls whichever the request offers. See mock-model.ts.

import { json, shellTool, sse, startMockModel, textOf, type MockModel } from './mock-model.js';

export function startOpenAiMock(): Promise<MockModel> {
  return startMockModel(({ path, body }, model, res) => {
    if (!path.includes('/responses')) return json(res, { object: 'list', data: [] });
    const input: any[] = Array.isArray(body.input) ? body.input : []; // eslint-disable-line @typescript-eslint/no-explicit-any
    const names = (body.tools ?? []).map((t: { name?: string; type?: string }) => t.name ?? t.type ?? '');
    const tool = shellTool(names);
    const id = `resp_${model.requests.length}`;
    const last = input[input.length - 1];
    const events: [string, unknown][] = [['response.created', { type: 'response.created', response: { id } }]];
    if (last?.type === 'function_call_output' || last?.type === 'custom_tool_call_output') {
      const text = textOf(last.output);
      model.toolResults.push(text);
      const next = model.toolResults.length === 1 ? model.followUp?.(text) : undefined;
      if (next) {
        model.toolCalls += 1;
        const item = { type: 'function_call', id: `fc_${model.toolCalls}`, call_id: `call_${model.toolCalls}`, name: next.tool, arguments: JSON.stringify(next.args) };
        events.push(['response.output_item.done', { type: 'response.output_item.done', item }]);
      } else {
        events.push(['response.output_item.done', { type: 'response.output_item.done', item: message(`The tool said: ${text.slice(0, 2000)}`) }]);
      }
    } else if (tool) {
      model.toolCalls += 1;
      const args = { ...(tool === 'shell' ? { command: ['bash', '-lc', model.command] } : tool === 'exec_command' ? { cmd: model.command } : { command: model.command }), ...model.extraArgs };
      const item = { type: 'function_call', id: `fc_${model.toolCalls}`, call_id: `call_${model.toolCalls}`, name: tool, arguments: JSON.stringify(args) };
      events.push(['response.output_item.done', { type: 'response.output_item.done', item }]);
    } else {
      events.push(['response.output_item.done', { type: 'response.output_item.done', item: message('ok') }]);
    }
    const usage = { input_tokens: 10, input_tokens_details: null, output_tokens: 10, output_tokens_details: null, total_tokens: 20 };
    events.push(['response.completed', { type: 'response.completed', response: { id, usage } }]);
    sse(res, events);
  });
}

const message = (text: string) => ({ type: 'message', role: 'assistant', id: 'msg_1', content: [{ type: 'output_text', text }] });
