// A write to the Azure Resource Manager sent by any HTTP client (curl, wget, httpie, xh) is the same
// request `az rest` sends: it is judged as that `az rest` line, so that a body turning a backup
// setting off (src/tools/az-rest.ts) is gated whichever client carries it. Nothing more runs.

import type { NestedLine } from '../model.js';
import type { JudgedRequest } from './http.js';

export function asAzRest({ request, platform }: JudgedRequest): NestedLine[] {
  if (platform?.name !== 'Azure Resource Manager') return [];
  const method = request.method.toLowerCase();
  if (!['put', 'patch', 'post'].includes(method)) return [];
  const url = `https://${request.url.host}${request.url.path}${request.url.query ? `?${request.url.query}` : ''}`;
  const body = request.body?.kind === 'text' ? request.body.text : request.body?.kind === 'json' ? JSON.stringify(request.body.value) : undefined;
  const argv = ['az', 'rest', '--method', method, '--url', url, ...(body !== undefined ? ['--body', body] : [])];
  return [{ via: `${method.toUpperCase()} to the Azure Resource Manager, as az rest`, argv, where: 'local' }];
}
