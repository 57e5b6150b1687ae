import { describe, expect, it } from 'vitest';
import { basename, breadcrumbs, isArchive, isValidName, join, languageFor, normalize, parent, parseMode, sortEntries } from './paths';

describe('paths', () => {
  it('normalizes', () => {
    expect(normalize('')).toBe('/');
    expect(normalize('a//b/./c/../d/')).toBe('/a/b/d');
    expect(normalize('/../..')).toBe('/');
    expect(join('/a', 'b')).toBe('/a/b');
    expect(parent('/a/b')).toBe('/a');
    expect(parent('/')).toBe('/');
    expect(basename('/a/b.txt')).toBe('b.txt');
  });
  it('builds breadcrumbs', () => {
    expect(breadcrumbs('/plugins/conf')).toEqual([
      { name: '/', path: '/' },
      { name: 'plugins', path: '/plugins' },
      { name: 'conf', path: '/plugins/conf' },
    ]);
  });
  it('sorts folders first, then natural name order', () => {
    const e = (name: string, is_file: boolean) => ({ name, is_file });
    expect(sortEntries([e('b.txt', true), e('world10', false), e('A.txt', true), e('world2', false), e('a10.log', true), e('a9.log', true)]).map((x) => x.name)).toEqual([
      'world2',
      'world10',
      'A.txt',
      'a9.log',
      'a10.log',
      'b.txt',
    ]);
  });
  it('validates names and modes', () => {
    expect(isValidName('ok.txt')).toBe(true);
    for (const bad of ['', ' ', '.', '..', 'a/b']) expect(isValidName(bad)).toBe(false);
    expect(parseMode('644')).toBe('644');
    expect(parseMode('0755')).toBe('755');
    expect(parseMode('1755')).toBe('1755');
    expect(parseMode('899')).toBeNull();
  });
  it('recognises archives and editor languages', () => {
    expect(isArchive('world.tar.gz')).toBe(true);
    expect(isArchive('notes.txt')).toBe(false);
    expect(languageFor('server.properties')).toBe('properties');
    expect(languageFor('config.YML')).toBe('yaml');
    expect(languageFor('ops.json')).toBe('json');
    expect(languageFor('README')).toBeNull();
  });
});
