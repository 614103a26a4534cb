// Google's Gemini API, as far as Gemini CLI uses it: POST /v1beta/models/MODEL:streamGenerateContent
// (server-sent events), :generateContent (its side questions, such as routing, get a plain or JSON
// answer) and :countTokens. See mock-model.ts.

import type { ServerResponse } from 'node:http';
import { json, shellTool, sse, startMockModel, textOf, type MockModel } from './mock-model.js';

export function startGeminiMock(): Promise<MockModel> {
  return startMockModel(({ path, body }, model, res) => {
    if (path.includes(':countTokens')) return json(res, { totalTokens: 10 });
    if (!/:(stream)?generateContent/i.test(path)) return json(res, { models: [] });
    const stream = path.includes(':streamGenerateContent');
    const contents: any[] = Array.isArray(body.contents) ? body.contents : []; // eslint-disable-line @typescript-eslint/no-explicit-any
    const declarations = (body.tools ?? []).flatMap((t: { functionDeclarations?: { name: string }[] }) => t.functionDeclarations ?? []);
    const tool = shellTool(declarations.map((d: { name: string }) => d.name));
    const last = contents[contents.length - 1];
    const responses = (last?.parts ?? []).filter((p: { functionResponse?: unknown }) => p.functionResponse);
    if (!stream || !tool) {
      // A side question (next speaker, routing, a summary): JSON when JSON was asked for.
      const wantsJson = body.generationConfig?.responseMimeType === 'application/json';
      return answer(res, stream, [{ text: wantsJson ? JSON.stringify({ reasoning: 'test', next_speaker: 'user', model_choice: 'flash' }) : 'ok' }]);
    }
    if (responses.length) {
      const text = responses.map((p: { functionResponse: { response?: unknown } }) => textOf(p.functionResponse.response)).join('\n');
      model.toolResults.push(text);
      return answer(res, stream, [{ text: `The tool said: ${text.slice(0, 2000)}` }]);
    }
    model.toolCalls += 1;
    return answer(res, stream, [{ functionCall: { name: tool, args: { command: model.command, description: 'Run the command the test asked for' } } }]);
  });
}

function answer(res: ServerResponse, stream: boolean, parts: unknown[]): void {
  const chunk = {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 10, totalTokenCount: 20 },
    modelVersion: 'gemini-2.5-flash',
  };
  if (stream) sse(res, [[undefined, chunk]]);
  else json(res, chunk);
}
