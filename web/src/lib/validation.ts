/**
 * Client-side validation: Laravel's rule strings as eggs write them (`required|string|max:20`)
 * for startup variables, and the small checks the forms share. The panel validates again;
 * these only spare a round trip and point at the field.
 */
import { strings } from '../strings';

const v = strings.validation;

type Rule = { name: string; args: string[] };

/** Splits `required|in:a,b|regex:/^x|y$/` into rules; a regex may itself contain `|`. */
export function parseRules(rules: string): Rule[] {
  const out: Rule[] = [];
  let rest = rules.trim();
  while (rest.length) {
    const m = /^regex:/.exec(rest);
    let token: string;
    if (m) {
      // The pattern runs to its closing delimiter plus flags, then `|` or the end.
      const delim = rest.charAt(6);
      const close = rest.indexOf(delim, 7);
      let end = close < 0 ? rest.length : close + 1;
      while (end < rest.length && /[a-z]/i.test(rest.charAt(end))) end++;
      token = rest.slice(0, end);
      rest = rest.slice(end).replace(/^\|/, '');
    } else {
      const bar = rest.indexOf('|');
      token = bar < 0 ? rest : rest.slice(0, bar);
      rest = bar < 0 ? '' : rest.slice(bar + 1);
    }
    const colon = token.indexOf(':');
    const name = (colon < 0 ? token : token.slice(0, colon)).trim();
    const argStr = colon < 0 ? '' : token.slice(colon + 1);
    if (!name) continue;
    out.push({ name, args: name === 'regex' ? [argStr] : argStr === '' ? [] : argStr.split(',') });
  }
  return out;
}

/** A JS RegExp from a PHP pattern `/…/flags` (or `#…#`), or null when it does not translate. */
export function phpRegex(pattern: string): RegExp | null {
  const delim = pattern.charAt(0);
  const end = pattern.lastIndexOf(delim);
  if (end <= 0) return null;
  const flags = pattern.slice(end + 1).replace(/[^imsu]/g, '');
  try {
    return new RegExp(pattern.slice(1, end), flags);
  } catch {
    return null;
  }
}

const isInt = (s: string) => /^[+-]?\d+$/.test(s.trim());
const isNumeric = (s: string) => s.trim() !== '' && Number.isFinite(Number(s));

/**
 * Checks `value` against an egg variable's `rules`; returns the first failure's message
 * (worded like Laravel's) or null. `label` names the field in the message.
 */
export function validateRules(value: string, rules: string, label: string): string | null {
  const list = parseRules(rules);
  const names = new Set(list.map((r) => r.name));
  const empty = value === '';
  if (empty) return names.has('required') ? v.required(label) : null;
  const numeric = names.has('integer') || names.has('numeric');
  for (const { name, args } of list) {
    const a0 = args[0] ?? '';
    switch (name) {
      case 'integer':
        if (!isInt(value)) return v.integer(label);
        break;
      case 'numeric':
        if (!isNumeric(value)) return v.numeric(label);
        break;
      case 'boolean':
        if (!['0', '1', 'true', 'false'].includes(value)) return v.boolean(label);
        break;
      case 'in':
        if (!args.includes(value)) return v.in(label, args);
        break;
      case 'alpha_dash':
        if (!/^[\p{L}\p{N}_-]+$/u.test(value)) return v.alphaDash(label);
        break;
      case 'alpha_num':
        if (!/^[\p{L}\p{N}]+$/u.test(value)) return v.alphaNum(label);
        break;
      case 'url':
        try {
          new URL(value);
        } catch {
          return v.url(label);
        }
        break;
      case 'regex': {
        const re = phpRegex(a0);
        if (re && !re.test(value)) return v.regex(label);
        break;
      }
      case 'min': {
        const n = Number(a0);
        if (numeric ? Number(value) < n : [...value].length < n) return numeric ? v.minNumber(label, n) : v.minString(label, n);
        break;
      }
      case 'max': {
        const n = Number(a0);
        if (numeric ? Number(value) > n : [...value].length > n) return numeric ? v.maxNumber(label, n) : v.maxString(label, n);
        break;
      }
      case 'between': {
        const lo = Number(a0);
        const hi = Number(args[1]);
        const x = numeric ? Number(value) : [...value].length;
        if (x < lo || x > hi) return numeric ? v.betweenNumber(label, lo, hi) : v.betweenString(label, lo, hi);
        break;
      }
    }
  }
  return null;
}

/** Required text. */
export function required(value: string, label: string): string | null {
  return value.trim() === '' ? v.required(label) : null;
}

export function email(value: string): string | null {
  return /^[^\s@]+@[^\s@]+$/.test(value.trim()) ? null : v.email;
}

/** An integer in [min, max]. */
export function intInRange(value: string | number, label: string, min: number, max = Number.MAX_SAFE_INTEGER): string | null {
  const s = String(value).trim();
  if (!isInt(s)) return v.integer(label);
  const n = Number(s);
  if (n < min || n > max) return v.betweenNumber(label, min, max);
  return null;
}

/**
 * Parses a port list as typed into the allocation form: `25565`, `25565-25570`, separated
 * by commas, spaces or new lines. Returns the strings the API takes, or an error message.
 * Ports must be 1024 < p ≤ 65535 and a range may hold at most 1000 ports.
 */
export function parsePorts(input: string): { ports: string[] } | { error: string } {
  const parts = input.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return { error: v.portsRequired };
  const ports: string[] = [];
  for (const p of parts) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(p);
    if (!m) return { error: v.portInvalid(p) };
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo <= 1024 || hi > 65535 || lo > 65535) return { error: v.portRange(p) };
    if (hi < lo) return { error: v.portOrder(p) };
    if (hi - lo + 1 > 1000) return { error: v.portTooMany(p) };
    ports.push(m[2] === undefined ? String(lo) : `${lo}-${hi}`);
  }
  return { ports };
}

/** A cron field as Pterodactyl accepts it: `*`, numbers, ranges, lists and steps. */
export function cronField(value: string, label: string): string | null {
  return /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/.test(value.trim()) ? null : v.cron(label);
}
