/** The last `size` lines seen, for error messages that show what a child printed before it died. */
export class LineTail {
  readonly #lines: string[] = [];

  constructor(private readonly size: number) {}

  add(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > this.size) this.#lines.shift();
  }

  lines(): string[] {
    return [...this.#lines];
  }
}

/** Splits a stream's chunks into whole lines; a partial line waits for its end. */
export function lineSplitter(): (chunk: string) => string[] {
  let partial = '';
  return (chunk) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    return parts;
  };
}
