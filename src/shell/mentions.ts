// For a line that cannot be parsed: does any word of it name a covered tool? A plain scan of the text,
// quotes and operators counted as separators, so `echo 'unterminated; railway down` says yes.

import { isCovered } from '../tools/index.js';
import { commandName } from './launch.js';
import { isCoveredPackage } from './runners.js';

export function mentionsCoveredTool(line: string): boolean {
  return line
    .split(/[\s;&|()<>`'"{}=$\\]+/)
    .some((word) => word !== '' && (isCovered(commandName(word)) || isCoveredPackage(word)));
}
