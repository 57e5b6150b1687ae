import { describe, expect, it } from 'vitest';
import { cronField, intInRange, parsePorts, parseRules, phpRegex, validateRules } from './validation';

describe('parseRules', () => {
  it('splits rules and arguments', () => {
    expect(parseRules('required|string|max:20|in:a,b')).toEqual([
      { name: 'required', args: [] },
      { name: 'string', args: [] },
      { name: 'max', args: ['20'] },
      { name: 'in', args: ['a', 'b'] },
    ]);
  });
  it('keeps a regex whole even when it contains | and ,', () => {
    expect(parseRules('required|regex:/^(a|b),c$/i|max:5')).toEqual([
      { name: 'required', args: [] },
      { name: 'regex', args: ['/^(a|b),c$/i'] },
      { name: 'max', args: ['5'] },
    ]);
  });
  it('handles empty input', () => {
    expect(parseRules('')).toEqual([]);
  });
});

describe('phpRegex', () => {
  it('translates delimiters and flags', () => {
    expect(phpRegex('/^abc$/i')?.test('ABC')).toBe(true);
    expect(phpRegex('#^\\d+$#')?.test('12')).toBe(true);
    expect(phpRegex('nope')).toBeNull();
  });
});

describe('validateRules', () => {
  const v = (value: string, rules: string) => validateRules(value, rules, 'server name');
  it('requires a value', () => {
    expect(v('', 'required|string')).toBe('The server name field is required.');
    expect(v('', 'nullable|string')).toBeNull();
  });
  it('checks integers with numeric min/max', () => {
    expect(v('abc', 'required|integer')).toBe('The server name must be an integer.');
    expect(v('0', 'required|integer|min:1')).toBe('The server name must be at least 1.');
    expect(v('300', 'required|integer|between:1,255')).toBe('The server name must be between 1 and 255.');
    expect(v('10', 'required|integer|between:1,255')).toBeNull();
  });
  it('checks string lengths', () => {
    expect(v('x'.repeat(65), 'required|string|max:64')).toBe('The server name may not be greater than 64 characters.');
    expect(v('ab', 'required|string|min:3')).toBe('The server name must be at least 3 characters.');
  });
  it('checks in, boolean, alpha_dash, url and regex', () => {
    expect(v('c', 'in:a,b')).toBe('The server name must be one of: a, b.');
    expect(v('yes', 'boolean')).toBe('The server name field must be true or false.');
    expect(v('1', 'boolean')).toBeNull();
    expect(v('a b', 'alpha_dash')).not.toBeNull();
    expect(v('a_b-1', 'alpha_dash')).toBeNull();
    expect(v('not a url', 'url')).toBe('The server name must be a valid URL.');
    expect(v('1.20.4', 'regex:/^[0-9.]+$/')).toBeNull();
    expect(v('latest!', 'regex:/^[0-9.]+$/')).toBe('The server name format is invalid.');
  });
});

describe('parsePorts', () => {
  it('accepts single ports and ranges separated by commas, spaces or lines', () => {
    expect(parsePorts('25565, 27015-27030\n30000')).toEqual({ ports: ['25565', '27015-27030', '30000'] });
  });
  it('rejects malformed, privileged, reversed and oversized entries', () => {
    expect(parsePorts('')).toEqual({ error: 'Enter at least one port.' });
    expect(parsePorts('abc')).toMatchObject({ error: expect.stringContaining('"abc"') });
    expect(parsePorts('80')).toMatchObject({ error: expect.stringContaining('above 1024') });
    expect(parsePorts('70000')).toMatchObject({ error: expect.stringContaining('above 1024') });
    expect(parsePorts('3000-2000')).toMatchObject({ error: expect.stringContaining('ends before') });
    expect(parsePorts('2000-3500')).toMatchObject({ error: expect.stringContaining('1000 ports') });
    expect(parsePorts('2000-2999')).toEqual({ ports: ['2000-2999'] });
  });
});

describe('intInRange and cronField', () => {
  it('checks integer ranges', () => {
    expect(intInRange('5', 'port', 1, 10)).toBeNull();
    expect(intInRange('11', 'port', 1, 10)).toBe('The port must be between 1 and 10.');
    expect(intInRange('x', 'port', 1)).toBe('The port must be an integer.');
  });
  it('accepts cron syntax and rejects junk', () => {
    for (const ok of ['*', '*/5', '0', '1-5', '0,30', '1-10/2']) expect(cronField(ok, 'minute')).toBeNull();
    for (const bad of ['', 'x', '*/', '1--2', '5 6']) expect(cronField(bad, 'minute')).not.toBeNull();
  });
});
