import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate, OUTPUT, readDocument } from '../../scripts/gen-api.mjs';

describe('schema.d.ts', () => {
  it('is generated from the committed OpenAPI snapshot (run `npm run gen:api` after the panel changes it)', async () => {
    const fresh = await generate(readDocument());
    const committed = readFileSync(OUTPUT, 'utf8');
    expect(committed === fresh, 'src/api/schema.d.ts is stale: run `npm run gen:api`').toBe(true);
  }, 30_000);
});
