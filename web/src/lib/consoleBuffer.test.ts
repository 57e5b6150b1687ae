import { describe, expect, it } from 'vitest';
import { CommandHistory, ConsoleBuffer, toTerminal } from './consoleBuffer';

describe('ConsoleBuffer', () => {
  it('keeps lines in order below capacity', () => {
    const b = new ConsoleBuffer(3);
    b.push('a');
    b.push('b');
    expect(b.toArray()).toEqual(['a', 'b']);
    expect(b.length).toBe(2);
  });

  it('drops the oldest lines past capacity, oldest first after wrapping', () => {
    const b = new ConsoleBuffer(3);
    for (const l of ['1', '2', '3', '4', '5']) b.push(l);
    expect(b.toArray()).toEqual(['3', '4', '5']);
    expect(b.total).toBe(5);
    b.push('6');
    b.push('7');
    b.push('8');
    expect(b.toArray()).toEqual(['6', '7', '8']);
  });

  it('clears', () => {
    const b = new ConsoleBuffer(2);
    b.push('x');
    b.push('y');
    b.push('z');
    b.clear();
    expect(b.toArray()).toEqual([]);
    b.push('n');
    expect(b.toArray()).toEqual(['n']);
  });

  it('rejects a zero capacity', () => {
    expect(() => new ConsoleBuffer(0)).toThrow();
  });
});

describe('CommandHistory', () => {
  it('walks back and forward and restores the draft', () => {
    const h = new CommandHistory();
    h.push('say one');
    h.push('say two');
    expect(h.up('dra')).toBe('say two');
    expect(h.up('ignored')).toBe('say one');
    expect(h.up('ignored')).toBe('say one'); // stays at the oldest
    expect(h.down()).toBe('say two');
    expect(h.down()).toBe('dra'); // past the newest: the draft comes back
    expect(h.down()).toBe('dra');
  });

  it('stores consecutive duplicates once and skips blanks', () => {
    const h = new CommandHistory();
    h.push('list');
    h.push('list');
    h.push('   ');
    expect(h.size).toBe(1);
  });

  it('is bounded', () => {
    const h = new CommandHistory(2);
    h.push('a');
    h.push('b');
    h.push('c');
    expect(h.size).toBe(2);
    expect(h.up('')).toBe('c');
    expect(h.up('')).toBe('b');
    expect(h.up('')).toBe('b');
  });

  it('returns the input unchanged with no history', () => {
    expect(new CommandHistory().up('typed')).toBe('typed');
  });
});

describe('toTerminal', () => {
  it('turns line feeds into CRLF for xterm', () => {
    expect(toTerminal('a\nb\r\nc')).toBe('a\r\nb\r\nc');
  });
});
