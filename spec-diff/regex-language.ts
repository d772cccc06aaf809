import { DFA, JS, NFA } from 'refa';

/** How the strings accepted by two sets of JSON Schema `pattern`s relate. */
export type PatternRelation =
  | { kind: 'equal' }
  /** Head accepts a strict subset: `example` is accepted by base only. */
  | { kind: 'narrowed'; example: string }
  /** Head accepts a strict superset: `example` is accepted by head only. */
  | { kind: 'widened'; example: string }
  | { kind: 'incomparable'; onlyBase: string; onlyHead: string }
  /** Outside the regular subset refa decides (lookarounds, `\b`, unbounded backreferences, too large). */
  | { kind: 'undecided'; why: string };

/** States a single automaton may use before the comparison gives up (and stays conservative). */
const NODE_LIMIT = 20_000;
const MAX_CHARACTER = 0x10ffff;

/**
 * JSON Schema `pattern` is an unanchored search with the `u` flag (ajv): the accepted strings
 * are those containing a match. Each top-level alternative becomes a whole-string regex:
 * a leading `^` / trailing `$` is dropped, an unanchored side gets `[^]*`. Any assertion left
 * (a `^` inside, `\b`, lookarounds) makes refa throw, and the relation is undecided.
 */
function wholeStringSource(pattern: string): string {
  const parsed = JS.Parser.fromLiteral({ source: pattern, flags: 'u' });
  return parsed.ast.pattern.alternatives
    .map((alternative) => {
      const elements = alternative.elements;
      const first = elements[0];
      const last = elements[elements.length - 1];
      const start = first?.type === 'Assertion' && first.kind === 'start';
      const end = elements.length > (start ? 1 : 0) && last?.type === 'Assertion' && last.kind === 'end';
      const core = elements
        .slice(start ? 1 : 0, end ? elements.length - 1 : elements.length)
        .map((e) => e.raw)
        .join('');
      return `${start ? '' : '[^]*'}(?:${core})${end ? '' : '[^]*'}`;
    })
    .join('|');
}

function language(patterns: readonly string[]): DFA {
  let dfa = DFA.all({ maxCharacter: MAX_CHARACTER });
  for (const pattern of patterns) {
    const parser = JS.Parser.fromLiteral({ source: wholeStringSource(pattern), flags: 'u' });
    const { expression, maxCharacter } = parser.parse({ backreferences: 'throw', assertions: 'throw' });
    const nfa = NFA.fromRegex(
      expression,
      { maxCharacter },
      { assertions: 'throw', unknowns: 'throw' },
      new NFA.LimitedNodeFactory(NODE_LIMIT),
    );
    dfa = DFA.fromIntersection(dfa, nfa, new DFA.LimitedNodeFactory(NODE_LIMIT));
    dfa.minimize();
  }
  return dfa;
}

/** A string in L(a) and not in L(b), or undefined when L(a) ⊆ L(b). */
function witness(a: DFA, b: DFA): string | undefined {
  const notB = b.copy();
  notB.complement();
  const difference = DFA.fromIntersection(a, notB, new DFA.LimitedNodeFactory(NODE_LIMIT));
  if (difference.isEmpty) return undefined;
  for (const word of difference.words()) return String.fromCodePoint(...word);
  return undefined;
}

/**
 * Decides how the strings accepted by `base` and `head` (each a conjunction of patterns; an
 * empty list accepts every string) relate, with refa's automata.
 */
export function comparePatterns(base: readonly string[], head: readonly string[]): PatternRelation {
  try {
    const b = language(base);
    const h = language(head);
    const onlyBase = witness(b, h);
    const onlyHead = witness(h, b);
    if (onlyBase === undefined && onlyHead === undefined) return { kind: 'equal' };
    if (onlyHead === undefined) return { kind: 'narrowed', example: onlyBase ?? '' };
    if (onlyBase === undefined) return { kind: 'widened', example: onlyHead };
    return { kind: 'incomparable', onlyBase, onlyHead };
  } catch (error) {
    return { kind: 'undecided', why: (error as Error).message.replace(/\.$/, '') };
  }
}
