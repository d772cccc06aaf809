/**
 * Whether a parsed JSON value nests objects and arrays more than `max` levels deep (the value
 * itself, when it is an object or array, is level 1). Iterative, so a value nested deeper than
 * the call stack allows is measured like any other; it stops at the first container past `max`.
 */
export function nestingExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, depth] = top;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return true;
    const children = Array.isArray(node) ? (node as unknown[]) : Object.values(node);
    for (const child of children) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}
