// Writes schema/quirk.schema.json from the built action registry (npm run schema).
import { writeFileSync } from 'node:fs';
import { quirkSchemaText } from '../dist/quirks/schema.js';

writeFileSync(new URL('../schema/quirk.schema.json', import.meta.url), quirkSchemaText());
