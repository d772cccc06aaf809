/** One position class of a pattern, repeated `count` times (the last one `min..max` times). */
interface Atom {
  min: number;
  max: number;
  /** 128 flags: may the ASCII code unit appear here? */
  ascii: readonly boolean[];
  /** Inclusive ranges of code units >= 128 that may NOT appear here. */
  deniedAbove127: readonly [number, number][];
}

/** A pattern `^atom{k}...atom{k}atom{m,n}$` as per-code-unit tables. */
export interface CharClassPattern {
  atoms: readonly Atom[];
  min: number;
  max: number;
}

const ATOM = /(\[(?:[^\]\\]|\\.)+\]|[A-Za-z0-9_:-])(?:\{(\d+)\}|\{(\d+),(\d+)\}|(\+)|(\*))?/y;

function tabulate(text: string, min: number, max: number): Atom {
  // V8's own RegExp (no 'u' flag, as ajv builds it) decides each of the 65536 UTF-16 code
  // units, so the table is exactly what the atom accepts however its class is spelled.
  const unit = new RegExp(`^${text}$`, '');
  const ascii: boolean[] = [];
  for (let c = 0; c < 128; c++) ascii.push(unit.test(String.fromCharCode(c)));
  const denied: [number, number][] = [];
  for (let c = 128; c < 0x10000; c++) {
    if (unit.test(String.fromCharCode(c))) continue;
    const last = denied[denied.length - 1];
    if (last !== undefined && last[1] === c - 1) last[1] = c;
    else denied.push([c, c]);
  }
  return { min, max, ascii, deniedAbove127: denied };
}

/**
 * Recognises an anchored sequence of classes or literal characters in which only the last one
 * varies in count: then matching is position by position, with no backtracking. Else undefined.
 */
export function charClassPattern(source: string): CharClassPattern | undefined {
  if (!source.startsWith('^') || !source.endsWith('$')) return undefined;
  const body = source.slice(1, -1);
  const atoms: Atom[] = [];
  ATOM.lastIndex = 0;
  while (ATOM.lastIndex < body.length) {
    if (atoms.length > 0 && atoms[atoms.length - 1]?.min !== atoms[atoms.length - 1]?.max) return undefined;
    const m = ATOM.exec(body);
    if (m === null) return undefined;
    const [, text = '', exact, lo, hi, plus, star] = m;
    const min = exact ?? lo ?? (plus !== undefined ? '1' : star !== undefined ? '0' : '1');
    const max = exact ?? hi ?? (plus !== undefined || star !== undefined ? 'Infinity' : '1');
    atoms.push(tabulate(text, Number(min), Number(max)));
  }
  if (atoms.length === 0) return undefined;
  return {
    atoms,
    min: atoms.reduce((sum, a) => sum + a.min, 0),
    max: atoms.reduce((sum, a) => sum + a.max, 0),
  };
}

const SURROGATES: readonly [number, number] = [0xd800, 0xdfff];

/** True when no atom of the tabulated pattern admits a surrogate code unit. */
export function deniesSurrogates(p: CharClassPattern): boolean {
  const [lo, hi] = SURROGATES;
  return p.atoms.every((a) => a.deniedAbove127.some(([from, to]) => from <= lo && to >= hi));
}

// One token of a pattern that can only consume ASCII: \d, an escaped punctuation character, a
// positive class of those and printable ASCII, or a printable ASCII character other than . [ \
// (quantifiers, groups, alternation and anchors are printable ASCII and consume nothing).
const ASCII_TOKEN =
  /\\d|\\[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]|\[(?!\^)(?:\\d|\\[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]|[\x20-\x5b\x5e-\x7e])+\]|[\x20-\x2d\x2f-\x5a\x5d-\x7e]/y;

/**
 * Conservatively true when the RegExp (no flags, as ajv builds it) can match only ASCII strings:
 * every token is one of ASCII_TOKEN's. Letter escapes other than \d (\s, \S, \w, \u...), '.',
 * and negated classes make it false, even where they would not admit non-ASCII.
 */
export function matchesOnlyAscii(source: string): boolean {
  ASCII_TOKEN.lastIndex = 0;
  while (ASCII_TOKEN.lastIndex < source.length) if (ASCII_TOKEN.exec(source) === null) return false;
  return true;
}

function deniedTest(a: Atom, table: string): string {
  const ranges = a.deniedAbove127;
  const above =
    ranges.length === 0
      ? 'false'
      : ranges.length === 1 && ranges[0]?.[0] === 128 && ranges[0][1] === 0xffff
        ? 'true'
        : ranges.map(([lo, hi]) => (lo === hi ? `c === ${lo}` : `(c >= ${lo} && c <= ${hi})`)).join(' || ');
  return `(c < 128 ? ${table}[c] === 0 : ${above})`;
}

/** JavaScript source of `function name(s)` testing a string against the tabulated pattern. */
export function renderCharClass(name: string, source: string, p: CharClassPattern): string {
  const lines: string[] = [];
  const body: string[] = [];
  p.atoms.forEach((a, k) => {
    const table = `${name}_${k}`;
    lines.push(`const ${table} = new Uint8Array([${a.ascii.map((ok) => (ok ? 1 : 0)).join(',')}]);`);
    const last = k === p.atoms.length - 1;
    // Every atom but the last has a fixed count; the length check below makes the indexes valid.
    const end = last ? 'n' : `i + ${a.min}`;
    body.push(`  for (const end = ${end}; i < end; i++) {`);
    body.push('    const c = s.charCodeAt(i);');
    body.push(`    if ${deniedTest(a, table)} return false;`);
    body.push('  }');
  });
  const bounds = [
    ...(p.min > 0 ? [`n < ${p.min}`] : []),
    ...(Number.isFinite(p.max) ? [`n > ${p.max}`] : []),
  ];
  return [
    ...lines,
    `// ${JSON.stringify(source)}, position by position: cheaper than a RegExp call on short strings.`,
    `function ${name}(s) {`,
    '  const n = s.length;',
    ...(bounds.length > 0 ? [`  if (${bounds.join(' || ')}) return false;`] : []),
    '  let i = 0;',
    ...body,
    '  return true;',
    '}',
  ].join('\n');
}
