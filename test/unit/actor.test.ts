// Who is acting: a human only with a usable terminal and no agent marker; no variable can claim "human".

import { describe } from 'vitest';
import { detectActor } from '../../src/context/actor.js';
import type { Actor } from '../../src/model.js';
import { table } from '../helpers/cases.js';

type Case = { env: NodeJS.ProcessEnv; terminal: boolean; explicit?: Actor };
const label = (c: Case) => `${JSON.stringify(c.env)} terminal=${c.terminal}${c.explicit ? ` --actor ${c.explicit}` : ''}`;

describe('detectActor', () => {
  table<Case, Actor>(label, [
    [{ env: {}, terminal: true }, 'human'],
    [{ env: {}, terminal: false }, 'agent'],
    [{ env: { CI: 'true' }, terminal: false }, 'ci'],
    [{ env: { CI: 'true' }, terminal: true }, 'human'],
    [{ env: { CHAPERONE_ACTOR: 'agent' }, terminal: true }, 'agent'],
    [{ env: { CHAPERONE_ACTOR: 'human' }, terminal: false }, 'agent'],
    [{ env: { CLAUDECODE: '1' }, terminal: true }, 'human'],
    [{ env: { CLAUDECODE: '1', CLAUDE_CODE_CHILD_SESSION: '1' }, terminal: true }, 'agent'],
    [{ env: { CODEX_THREAD_ID: 't-1' }, terminal: true }, 'agent'],
    [{ env: { GEMINI_CLI: '1' }, terminal: true }, 'agent'],
    [{ env: { CURSOR_AGENT: '1' }, terminal: true }, 'agent'],
    [{ env: { CURSOR_TRACE_ID: 'x' }, terminal: true }, 'human'],
    [{ env: {}, terminal: false, explicit: 'human' }, 'human'],
  ], (c) => detectActor(c.env, c.explicit, () => c.terminal).actor);
});
