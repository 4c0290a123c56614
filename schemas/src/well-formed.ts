/**
 * In Unicode mode a surrogate pair is one code point, so only a surrogate without its partner matches: text
 * that is not well-formed UTF-16, which JSON's `\ud800` escape can carry in, and which canonical JSON, UTF-8
 * encoders and hash chains cannot represent.
 */
const LONE_SURROGATE = /\p{Cs}/u;

/** How a key is named in a field path when the key itself is at fault (it cannot be shown as it is). */
const printable = (key: string): string =>
  LONE_SURROGATE.test(key) ? JSON.stringify(key).slice(1, -1) : key;

/** A value on the walk, linked to its parent: the path is spelled out only for the one at fault. */
interface Node {
  readonly value: unknown;
  readonly key?: string;
  readonly parent?: Node;
}

const pathOf = (node: Node): string[] => {
  const path: string[] = [];
  for (let at: Node | undefined = node; at?.key !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
};

/**
 * The path of the first string or object key in a JSON value that holds a lone surrogate, or undefined when all
 * text in it is well-formed. Walked with an explicit stack: a body may nest deeper than the call stack goes.
 */
export const illFormedTextPath = (value: unknown): string[] | undefined => {
  const pending: Node[] = [{ value }];
  for (let node = pending.pop(); node; node = pending.pop()) {
    const current = node.value;
    if (typeof current === 'string') {
      if (LONE_SURROGATE.test(current)) return pathOf(node);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        pending.push({ value: current[i], key: String(i), parent: node });
    } else if (typeof current === 'object' && current !== null) {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown];
        if (LONE_SURROGATE.test(key)) return [...pathOf(node), printable(key)];
        pending.push({ value: child, key, parent: node });
      }
    }
  }
  return undefined;
};
