import { statSync } from 'node:fs';
import { z } from 'zod';
import { findTooDeep, isJsonObject } from '../rules/json';
import { formatCount, MAX_RUN_TASK_DEPTH } from '../rules/run-task-shape';
import type { JsonObject } from '../types';

/**
 * Value parsers: each takes the raw text of a setting (undefined when it is not set) and says what
 * it expected when it fails. A default is given with `.prefault(text)`: the text a user would
 * write, parsed like any other value, and shown as-is by `--help` and the README.
 */

/** The longest a JavaScript timer can wait: 2^31 - 1 ms, about 24.8 days. Longer ones fire at once. */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

export const required = (what: string) => z.string({ error: `expected ${what}` }).trim().min(1, `expected ${what}`);

export const optionalText = () => z.string().trim().optional();

/** Airflow's conf.getboolean: t/true/1 and f/false/0, any case, anything after a `#` ignored. */
export const boolean = () =>
  z
    .string()
    .transform((text) => (text.split('#')[0] ?? '').trim())
    .pipe(z.stringbool({ truthy: ['true', 't', '1'], falsy: ['false', 'f', '0'], case: 'insensitive', error: 'expected true or false (also True/False, 1/0)' }));

/** `1` or `0`, exactly (read by code that compares with "1"). */
export const oneOrZero = () => z.enum(['1', '0'], { error: 'expected 1 or 0' }).transform((text) => text === '1');

export const wholeNumber = (min: number, max: number) => {
  const expected = `expected a whole number from ${formatCount(min)} to ${formatCount(max)}`;
  return z.string().trim().regex(/^\d+$/, expected).transform(Number).pipe(z.number().int().min(min, expected).max(max, expected));
};

/** How a worker polls for workflow tasks: the SDK's autoscaling poller, or at most a fixed number of polls open. */
export type PollerSetting = { type: 'autoscaling' } | { type: 'simple-maximum'; maximum: number };

/** `autoscaling`, or a whole number of polls from `min` to `max`. */
export const pollers = (min: number, max: number) => {
  const expected = `expected autoscaling, or a whole number of polls from ${formatCount(min)} to ${formatCount(max)}`;
  return z
    .string()
    .trim()
    .regex(/^(autoscaling|\d+)$/, expected)
    .transform((text): PollerSetting => (text === 'autoscaling' ? { type: 'autoscaling' } : { type: 'simple-maximum', maximum: Number(text) }))
    .refine((setting) => setting.type === 'autoscaling' || (setting.maximum >= min && setting.maximum <= max), expected);
};

/** Seconds as written (`10`, `2.5`), in milliseconds, when `allowed`; else one problem: `expected`. */
const seconds = (expected: string, allowed: (seconds: number) => boolean) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, expected)
    .transform(Number)
    .pipe(z.number().refine(allowed, expected))
    .transform((value) => Math.round(value * 1000));

/** Seconds from `min` to `max`, in milliseconds. */
export const secondsToMs = (min: number, max: number, why = '') =>
  seconds(`expected a number of seconds from ${min} to ${formatCount(max)}${why}`, (value) => value >= min && value <= max);

/** 0 (off), or seconds from `minOn` to `max`, in milliseconds: a value too small to mean anything is refused, not quietly taken as off. */
export const offOrSecondsToMs = (minOn: number, max: number, why = '') =>
  seconds(`expected 0 (off) or a number of seconds from ${minOn} to ${formatCount(max)}${why}`, (value) => value === 0 || (value >= minOn && value <= max));

/** Comma-separated IDs, trimmed, empty parts dropped; unset is `[]`. */
export const commaList = () =>
  z
    .string()
    .optional()
    .transform((text) =>
      (text ?? '')
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    );

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.join(', ')} (case matters)` });

export const pattern = (regex: RegExp, expected: string) => z.string().trim().regex(regex, expected);

export const httpUrl = () => z.url({ protocol: /^https?$/, error: 'expected an http(s) URL like http://127.0.0.1:4566' });

/** A path to a file that must exist now: a missing one is a settings problem, not an ENOENT later. */
export const existingFile = (hint: string) =>
  z
    .string()
    .trim()
    .check((ctx) => {
      const stat = statSync(ctx.value, { throwIfNoEntry: false });
      if (stat === undefined) ctx.issues.push({ code: 'custom', input: ctx.value, message: `no such file: ${hint}` });
      else if (!stat.isFile()) ctx.issues.push({ code: 'custom', input: ctx.value, message: `not a file: ${hint}` });
    });

/** JSON text, parsed; its problems say what was expected. */
const json = (expected: string) =>
  z.string().transform((text, ctx): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}; this is not valid JSON (${(err as Error).message})` });
      return z.NEVER;
    }
  });

/** A JSON object, not absurdly deep (checked before any recursive walk). */
export const jsonObject = (expected: string) =>
  json(expected).pipe(
    z.custom<JsonObject>().check((ctx) => {
      const tooDeep = findTooDeep(ctx.value, MAX_RUN_TASK_DEPTH);
      if (tooDeep) ctx.issues.push({ code: 'custom', input: ctx.value, message: `nested too deeply, at ${tooDeep}` });
      else if (!isJsonObject(ctx.value)) ctx.issues.push({ code: 'custom', input: ctx.value, message: 'expected a JSON object ({...}), not a list or a single value' });
    }),
  );

const capacityProviderItem = z
  .strictObject({
    capacityProvider: z.string().min(1).optional(),
    // Airflow users write snake_case; the RunTask API wants camelCase.
    capacity_provider: z.string().min(1).optional(),
    weight: z.number().int().min(0).max(1000).optional(),
    base: z.number().int().min(0).max(100000).optional(),
  })
  .refine((item) => (item.capacityProvider ?? item.capacity_provider) !== undefined, 'expected "capacityProvider" (a capacity provider name)')
  .transform(({ capacityProvider, capacity_provider, weight, base }) => ({
    capacityProvider: (capacityProvider ?? capacity_provider) as string,
    ...(weight !== undefined && { weight }),
    ...(base !== undefined && { base }),
  }));

export const capacityProviderStrategy = () =>
  json('a JSON list like [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]').pipe(
    z.array(capacityProviderItem, { error: 'expected a JSON list of capacity provider items' }).max(20, 'expected at most 20 capacity providers (ECS\'s limit)'),
  );
