// What the resident decision (src/server/serve.ts) and its bash clients (src/server/client.ts) agree on,
// kept apart so the clients' writers (the CLI) load none of the server.

/** The last words of every answer: an answer cut short lacks them, and is never acted on. */
export const answerEnd = 'chaperone:end';

/**
 * The hook's client reads at most this many characters of an agent's request before it leaves the
 * request to the Node hook (bash reads a pipe a byte at a time: 64 Ki characters is ~25 ms).
 */
export const payloadCharacters = 65536;
