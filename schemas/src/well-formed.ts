/**
 * In Unicode mode a surrogate pair is one code point, so only a surrogate without its partner matches: text
 * that is not well-formed UTF-16, which JSON's `\ud800` escape can carry in, and which canonical JSON, UTF-8
 * encoders and hash chains cannot represent.
 */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * C0 control codes but tab, line breaks and form feed (page breaks of text taken from documents), and DEL: a NUL
 * cuts strings short in C libraries and log tools, escapes drive terminals. No field of the platform needs them.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/;

const faultOf = (text: string): string | undefined =>
  LONE_SURROGATE.test(text)
    ? 'text with a lone UTF-16 surrogate (not well-formed Unicode)'
    : CONTROL_CHARACTER.test(text)
      ? 'text with a control character (only tabs, line and page breaks are allowed)'
      : undefined;

/** How a key is named in a field path when the key itself is at fault (it cannot be shown as it is). */
const printable = (key: string): string =>
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point
  key.replace(/[\u0000-\u001f\u007f]|\p{Cs}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

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

export interface TextFault {
  /** Where the string or object key at fault is. */
  readonly path: string[];
  readonly message: string;
}

/**
 * The first string or object key in a JSON value that the platform refuses at its edge (a lone surrogate, a
 * control character), or undefined when all text in it is acceptable. Walked with an explicit stack: a body may
 * nest deeper than the call stack goes.
 */
export const textFault = (value: unknown): TextFault | undefined => {
  const pending: Node[] = [{ value }];
  for (let node = pending.pop(); node; node = pending.pop()) {
    const current = node.value;
    if (typeof current === 'string') {
      const message = faultOf(current);
      if (message) return { path: pathOf(node), message };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        pending.push({ value: current[i], key: String(i), parent: node });
    } else if (typeof current === 'object' && current !== null) {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown];
        const message = faultOf(key);
        if (message) return { path: [...pathOf(node), printable(key)], message };
        pending.push({ value: child, key, parent: node });
      }
    }
  }
  return undefined;
};
