/**
 * The console's memory: a bounded buffer of lines (so switching tabs or reconnecting
 * repaints the terminal without asking wings again) and the command history behind the
 * input's arrow keys.
 */

/** Keeps the last `capacity` lines; older lines fall off the front. */
export class ConsoleBuffer {
  private lines: string[] = [];
  private start = 0;
  /** Counts every line ever pushed (listeners use it to tell what is new). */
  total = 0;

  constructor(readonly capacity = 2000) {
    if (capacity < 1) throw new Error('capacity must be positive');
  }

  push(line: string): void {
    this.total++;
    if (this.lines.length < this.capacity) {
      this.lines.push(line);
      return;
    }
    this.lines[this.start] = line;
    this.start = (this.start + 1) % this.capacity;
  }

  /** Lines oldest first. */
  toArray(): string[] {
    return this.lines.slice(this.start).concat(this.lines.slice(0, this.start));
  }

  get length(): number {
    return this.lines.length;
  }

  clear(): void {
    this.lines = [];
    this.start = 0;
  }
}

/**
 * Shell-like command history: `up` walks back, `down` forward, and the draft being typed
 * is restored when walking past the newest entry. Consecutive duplicates are stored once.
 */
export class CommandHistory {
  private entries: string[] = [];
  private cursor = 0;
  private draft = '';

  constructor(readonly capacity = 100) {}

  push(command: string): void {
    if (command.trim() !== '' && this.entries[this.entries.length - 1] !== command) {
      this.entries.push(command);
      if (this.entries.length > this.capacity) this.entries.shift();
    }
    this.cursor = this.entries.length;
    this.draft = '';
  }

  /** The previous entry, or `current` unchanged when there is none. */
  up(current: string): string {
    if (this.cursor === this.entries.length) this.draft = current;
    if (this.cursor === 0) return this.entries[0] ?? current;
    this.cursor--;
    return this.entries[this.cursor] ?? current;
  }

  /** The next entry, or the saved draft after the newest. */
  down(): string {
    if (this.cursor >= this.entries.length) return this.draft;
    this.cursor++;
    return this.cursor === this.entries.length ? this.draft : (this.entries[this.cursor] ?? '');
  }

  get size(): number {
    return this.entries.length;
  }
}

/** Wings marks its own console lines; this prefix is how the daemon's messages look. */
export const DAEMON_PREFIX = '\u001b[1m\u001b[33m';

/** Normalises a console line for xterm: `\n` → `\r\n` so lines start at column 0. */
export function toTerminal(line: string): string {
  return line.replace(/\r?\n/g, '\r\n');
}
